import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { safeRedirect } from "~/auth/guards.server";
import { AccountForm } from "~/components/account-form";
import { accountPageLoader } from "~/http/account-pages.server";
import { passRetryAfter } from "~/http/headers";
import { pageAction, pageLoader, redirectWithFlash, textField } from "~/http/page.server";

export const meta: MetaFunction = () => [{ title: "Log in · Holdfast" }];

export const headers = passRetryAfter;

export const loader = (args: LoaderFunctionArgs) => pageLoader(args, (load) => accountPageLoader(load, "Log in"));

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
  const { reason } = useLoaderData<typeof loader>();
  return (
    <AccountForm
      reason={reason}
      title="Log in"
      result={result}
      submit={{ label: "Log in", busyLabel: "Logging in…" }}
      passwordAutoComplete="current-password"
      other={{ question: "New here?", to: "/signup", label: "Create an account" }}
    />
  );
}
