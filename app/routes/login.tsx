import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useSearchParams } from "@remix-run/react";
import { getOptionalUser, safeRedirect } from "~/auth/guards.server";
import { FormError, FormField, SubmitButton } from "~/components/form-field";
import { passRetryAfter } from "~/http/headers";
import { pageAction, redirectWithFlash, textField } from "~/http/page.server";

export const meta: MetaFunction = () => [{ title: "Log in · Holdfast" }];

export const headers = passRetryAfter;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request, context);
  if (user) throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  return null;
}

// remix-auth reads the body itself, so the adapter reads a copy for the email and the redirect.
export const action = (args: ActionFunctionArgs) =>
  pageAction(
    args,
    { readCopy: true, fields: ["email", "password"], keep: (form) => ({ email: textField(form, "email") }) },
    async (post) => {
      const { request, context, form } = post;
      await context.authLimiter.consume(context.clientAddress, textField(form, "email"));
      const user = await context.authenticator.authenticate("form", request);
      return redirectWithFlash(post, safeRedirect(form.get("redirectTo")), `Welcome back, ${user.name}.`, { signIn: user.id });
    },
  );

export default function Login() {
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  return (
    <div className="mx-auto max-w-sm">
      <h1 className="text-2xl font-bold">Log in</h1>
      <Form method="post" className="mt-6 space-y-4" noValidate>
        <FormError message={result?.formError} />
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? "/"} />
        <FormField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          defaultValue={result?.values.email}
          error={result?.fieldErrors.email}
        />
        <FormField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          error={result?.fieldErrors.password}
          clearOn={result}
        />
        <SubmitButton busyLabel="Logging in…" className="w-full">
          Log in
        </SubmitButton>
      </Form>
      <p className="mt-4 text-sm text-slate-600">
        New here?{" "}
        <Link to={`/signup${params.size ? `?${params}` : ""}`} className="text-brand-600 underline">
          Create an account
        </Link>
      </p>
    </div>
  );
}
