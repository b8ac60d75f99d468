import { Form, Link, useSearchParams } from "@remix-run/react";
import { FormError, FormField, SubmitButton } from "~/components/form-field";

interface Failure {
  values: { email?: string };
  fieldErrors: Record<string, string>;
  formError?: string;
}

/**
 * The log-in and sign-up pages' shared frame: heading, form-level error, the redirect that
 * survives the round trip, the email and password fields, the submit button, and the link to
 * the other page (keeping the redirect).
 */
export function AccountForm(props: {
  title: string;
  result: Failure | undefined;
  submit: { label: string; busyLabel: string };
  passwordAutoComplete: "current-password" | "new-password";
  passwordHint?: string;
  other: { question: string; to: "/login" | "/signup"; label: string };
  /** Fields before the email (sign-up's name). */
  children?: React.ReactNode;
  /** Why this page appeared, when a visitor was sent here (the seat map's hold). */
  reason?: string | null;
}) {
  const { result } = props;
  const [params] = useSearchParams();
  return (
    <div className="mx-auto max-w-sm">
      <h1 className="text-2xl font-bold">{props.title}</h1>
      {props.reason ? (
        <p role="status" className="mt-3 rounded-md border border-slate-200 bg-brand-50 p-3 text-sm text-slate-800">
          {props.reason}
        </p>
      ) : null}
      <Form method="post" className="mt-6 space-y-4" noValidate>
        <FormError message={result?.formError} />
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? "/"} />
        {props.children}
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
          autoComplete={props.passwordAutoComplete}
          hint={props.passwordHint}
          error={result?.fieldErrors.password}
          clearOn={result}
        />
        <SubmitButton busyLabel={props.submit.busyLabel} className="w-full">
          {props.submit.label}
        </SubmitButton>
      </Form>
      <p className="mt-4 text-sm text-slate-600">
        {props.other.question}{" "}
        <Link to={`${props.other.to}${params.size ? `?${params}` : ""}`} className="text-brand-600 underline">
          {props.other.label}
        </Link>
      </p>
    </div>
  );
}
