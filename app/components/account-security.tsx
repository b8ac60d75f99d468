import { Form } from "@remix-run/react";
import { FormError, FormField, SubmitButton } from "~/components/form-field";

interface SessionRow {
  key: string;
  kind: "WEB" | "API";
  createdAt: string;
  expiresAt: string;
  clientAddress: string | null;
  userAgent: string | null;
  current: boolean;
}

interface Result {
  fieldErrors?: Record<string, string>;
  formError?: string;
}

const day = (iso: string) => new Date(iso).toUTCString().replace(/:\d\d GMT$/, " UTC");

/** A browser's name from its User-Agent, roughly: enough to tell one's phone from one's laptop. */
function deviceOf(userAgent: string | null, kind: SessionRow["kind"]): string {
  if (kind === "API") return "API token";
  if (!userAgent) return "Browser";
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Firefox\//.test(userAgent)
      ? "Firefox"
      : /Chrome\//.test(userAgent)
        ? "Chrome"
        : /Safari\//.test(userAgent)
          ? "Safari"
          : "Browser";
  const system = /Android/.test(userAgent)
    ? "Android"
    : /iPhone|iPad/.test(userAgent)
      ? "iOS"
      : /Mac OS X/.test(userAgent)
        ? "macOS"
        : /Windows/.test(userAgent)
          ? "Windows"
          : /Linux/.test(userAgent)
            ? "Linux"
            : "";
  return system ? `${browser} on ${system}` : browser;
}

/** The account page: who you are, a new password, and every place you are signed in, with a way out of all of them. */
export function AccountSecurity(props: { user: { name: string; email: string }; sessions: SessionRow[]; result?: Result }) {
  const { user, sessions, result } = props;
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-bold tracking-tight sm:text-3xl">Your account</h1>
        <p className="mt-1 break-all text-slate-700">
          {user.name} · {user.email}
        </p>
      </div>

      <section aria-labelledby="password-heading" className="max-w-md space-y-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <h2 id="password-heading" className="text-lg font-semibold">
          Change your password
        </h2>
        <p className="text-sm text-slate-600">Every other place you are signed in is signed out, API tokens included.</p>
        <Form method="post" className="space-y-4" noValidate>
          <FormError message={result?.formError} />
          <FormField
            label="Current password"
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            error={result?.fieldErrors?.currentPassword}
            clearOn={result}
          />
          <FormField
            label="New password"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            hint="At least 10 characters, hard to guess: a few unrelated words work well."
            error={result?.fieldErrors?.newPassword}
            clearOn={result}
          />
          <SubmitButton intent="password" busyLabel="Changing…">
            Change password
          </SubmitButton>
        </Form>
      </section>

      <section aria-labelledby="sessions-heading" className="space-y-3">
        <h2 id="sessions-heading" className="text-lg font-semibold">
          Where you are signed in
        </h2>
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
          {sessions.map((s) => (
            <li key={s.key} className="p-3 text-sm">
              <p className="font-medium">
                {deviceOf(s.userAgent, s.kind)}
                {s.current ? <span className="ml-2 rounded-full bg-brand-50 px-2 py-0.5 text-xs text-brand-700">this browser</span> : null}
              </p>
              <p className="text-slate-600">
                Since {day(s.createdAt)}
                {s.clientAddress ? ` · from ${s.clientAddress}` : ""} · ends {day(s.expiresAt)}
              </p>
            </li>
          ))}
        </ul>
        <Form method="post">
          <SubmitButton intent="everywhere" variant="secondary" busyLabel="Logging out…">
            Log out everywhere
          </SubmitButton>
        </Form>
      </section>
    </div>
  );
}
