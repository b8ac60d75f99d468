import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { useActionData } from "@remix-run/react";
import { getOptionalUser, safeRedirect } from "~/auth/guards.server";
import { AccountForm } from "~/components/account-form";
import { passRetryAfter } from "~/http/headers";
import { pageAction, pageLoader, redirectWithFlash, textField } from "~/http/page.server";

export const meta: MetaFunction = () => [{ title: "Log in · Holdfast" }];

export const headers = passRetryAfter;

export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, context }) => {
    const user = await getOptionalUser(request, context);
    if (user) throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
    return null;
  });

// remix-auth reads the body itself, so the adapter reads a copy for the email and the redirect.
export const action = (args: ActionFunctionArgs) =>
  pageAction(
    args,
    { readCopy: true, fields: ["email", "password"], keep: (form) => ({ email: textField(form, "email") }) },
    async (post) => {
      const { request, context, form } = post;
      const user = await context.authLimiter.logIn(context.clientAddress, textField(form, "email"), () =>
        context.authenticator.authenticate("form", request),
      );
      return redirectWithFlash(post, safeRedirect(form.get("redirectTo")), `Welcome back, ${user.name}.`, { signIn: user.id });
    },
  );

export default function Login() {
  const result = useActionData<typeof action>();
  return (
    <AccountForm
      title="Log in"
      result={result}
      submit={{ label: "Log in", busyLabel: "Logging in…" }}
      passwordAutoComplete="current-password"
      other={{ question: "New here?", to: "/signup", label: "Create an account" }}
    />
  );
}
