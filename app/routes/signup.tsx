import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { getOptionalUser, getSession, safeRedirect } from "~/auth/guards.server";
import { FormError, FormField, SubmitButton } from "~/components/form-field";
import { DomainError, ValidationFailed } from "~/domain/errors";
import { PASSWORD_MIN } from "~/domain/account-rules";
import { createUser } from "~/domain/users.server";
import { headersOf, statusOf } from "~/http/errors.server";
import { passRetryAfter } from "~/http/headers";
import { readForm } from "~/http/form.server";

export const meta: MetaFunction = () => [{ title: "Sign up · Holdfast" }];

export const headers = passRetryAfter;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request, context);
  if (user) throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  return null;
}

const text = (v: FormDataEntryValue | null) => (typeof v === "string" ? v : "");

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const input = { name: text(form.get("name")), email: text(form.get("email")), password: text(form.get("password")) };
  try {
    await context.authLimiter.consume(context.clientAddress, input.email);
    const user = await createUser(context.db, input);
    const session = await getSession(request, context);
    session.set("userId", user.id);
    session.flash("flash", { kind: "success", message: `Welcome to Holdfast, ${user.name}.` });
    return redirect(safeRedirect(form.get("redirectTo")), {
      headers: { "Set-Cookie": await context.sessions.commitSession(session) },
    });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return json(
      {
        // What was typed comes back as typed (even when too long, so nothing is lost), never the password.
        values: { name: input.name, email: input.email },
        fieldErrors: error instanceof ValidationFailed ? error.fieldErrors : {},
        formError: error instanceof ValidationFailed ? undefined : error.message,
      },
      { status: statusOf(error), headers: headersOf(error) },
    );
  }
}

export default function Signup() {
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  return (
    <div className="mx-auto max-w-sm">
      <h1 className="text-2xl font-bold">Create your account</h1>
      <Form method="post" className="mt-6 space-y-4" noValidate>
        <FormError message={result?.formError} />
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? "/"} />
        <FormField label="Name" name="name" autoComplete="name" defaultValue={result?.values.name} error={result?.fieldErrors.name} />
        <FormField label="Email" name="email" type="email" autoComplete="email" defaultValue={result?.values.email} error={result?.fieldErrors.email} />
        <FormField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint={`At least ${PASSWORD_MIN} characters.`}
          error={result?.fieldErrors.password}
          clearOn={result}
        />
        <SubmitButton busy={busy} busyLabel="Creating account…">Sign up</SubmitButton>
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
