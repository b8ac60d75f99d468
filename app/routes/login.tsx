import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { getOptionalUser, getSession, safeRedirect } from "~/auth/guards.server";
import { FormError, FormField, SubmitButton } from "~/components/form-field";
import { DomainError, ValidationFailed } from "~/domain/errors";
import { headersOf, statusOf } from "~/http/errors.server";
import { passRetryAfter } from "~/http/headers";
import { readForm } from "~/http/form.server";

export const meta: MetaFunction = () => [{ title: "Log in · Holdfast" }];

export const headers = passRetryAfter;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request, context);
  if (user) throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  // remix-auth reads the body itself, so we look at a copy for the email and the redirect.
  const form = await readForm(request.clone());
  const email = String(form.get("email") ?? "");
  const redirectTo = safeRedirect(form.get("redirectTo"));
  try {
    await context.authLimiter.consume(context.clientAddress, email);
    const user = await context.authenticator.authenticate("form", request);
    const session = await getSession(request, context);
    session.set("userId", user.id);
    session.flash("flash", { kind: "success", message: `Welcome back, ${user.name}.` });
    return redirect(redirectTo, { headers: { "Set-Cookie": await context.sessions.commitSession(session) } });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return json(
      {
        values: { email },
        fieldErrors: error instanceof ValidationFailed ? error.fieldErrors : {},
        formError: error instanceof ValidationFailed ? undefined : error.message,
      },
      { status: statusOf(error), headers: headersOf(error) },
    );
  }
}

export default function Login() {
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  return (
    <div className="mx-auto max-w-sm">
      <h1 className="text-2xl font-bold">Log in</h1>
      <Form method="post" className="mt-6 space-y-4" noValidate>
        <FormError message={result?.formError} />
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? "/"} />
        <FormField label="Email" name="email" type="email" autoComplete="email" defaultValue={result?.values.email} error={result?.fieldErrors.email} />
        <FormField label="Password" name="password" type="password" autoComplete="current-password" error={result?.fieldErrors.password}
          clearOn={result} />
        <SubmitButton busy={busy} busyLabel="Logging in…">Log in</SubmitButton>
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
