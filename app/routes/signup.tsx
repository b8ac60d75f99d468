import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useSearchParams } from "@remix-run/react";
import { getOptionalUser, safeRedirect } from "~/auth/guards.server";
import { FormError, FormField, SubmitButton } from "~/components/form-field";
import { createUser } from "~/domain/accounts.server";
import { PASSWORD_MIN } from "~/domain/schemas";
import { passRetryAfter } from "~/http/headers";
import { pageAction, redirectWithFlash, textField } from "~/http/page.server";

export const meta: MetaFunction = () => [{ title: "Sign up · Holdfast" }];

export const headers = passRetryAfter;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request, context);
  if (user) throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  return null;
}

export const action = (args: ActionFunctionArgs) =>
  pageAction(
    args,
    {
      fields: ["name", "email", "password"],
      // What was typed comes back as typed (even when too long, so nothing is lost), never the password.
      keep: (form) => ({ name: textField(form, "name"), email: textField(form, "email") }),
    },
    async (post) => {
      const { context, form } = post;
      const input = { name: textField(form, "name"), email: textField(form, "email"), password: textField(form, "password") };
      await context.authLimiter.consume(context.clientAddress, input.email);
      const user = await createUser(context.db, input);
      return redirectWithFlash(post, safeRedirect(form.get("redirectTo")), `Welcome to Holdfast, ${user.name}.`, { signIn: user.id });
    },
  );

export default function Signup() {
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  return (
    <div className="mx-auto max-w-sm">
      <h1 className="text-2xl font-bold">Create your account</h1>
      <Form method="post" className="mt-6 space-y-4" noValidate>
        <FormError message={result?.formError} />
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? "/"} />
        <FormField label="Name" name="name" autoComplete="name" defaultValue={result?.values.name} error={result?.fieldErrors.name} />
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
          autoComplete="new-password"
          hint={`At least ${PASSWORD_MIN} characters.`}
          error={result?.fieldErrors.password}
          clearOn={result}
        />
        <SubmitButton busyLabel="Creating account…" className="w-full">
          Sign up
        </SubmitButton>
      </Form>
      <p className="mt-4 text-sm text-slate-600">
        Already have an account?{" "}
        <Link to={`/login${params.size ? `?${params}` : ""}`} className="text-brand-600 underline">
          Log in
        </Link>
      </p>
    </div>
  );
}
