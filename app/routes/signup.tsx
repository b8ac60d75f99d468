import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { safeRedirect } from "~/auth/guards.server";
import { AccountForm } from "~/components/account-form";
import { FormField } from "~/components/form-field";
import { createUser } from "~/domain/accounts.server";
import { PASSWORD_MIN } from "~/domain/schemas";
import { accountPageLoader } from "~/http/account-pages.server";
import { passRetryAfter } from "~/http/headers";
import { pageAction, pageLoader, redirectWithFlash, textField } from "~/http/page.server";

export const meta: MetaFunction = () => [{ title: "Sign up · Holdfast" }];

export const headers = passRetryAfter;

export const loader = (args: LoaderFunctionArgs) => pageLoader(args, (load) => accountPageLoader(load, "Create an account"));

export const action = (args: ActionFunctionArgs) =>
  pageAction(
    args,
    {
      fields: ["name", "email", "password"],
      // What was typed comes back (unless longer than any field accepts: never echoed), never the password.
      keep: (form) => ({ name: textField(form, "name"), email: textField(form, "email") }),
    },
    async (post) => {
      const { context, form } = post;
      const input = { name: textField(form, "name"), email: textField(form, "email"), password: textField(form, "password") };
      await context.authLimiter.signUp(context.clientAddress);
      const user = await createUser(context.db, input);
      return redirectWithFlash(post, safeRedirect(form.get("redirectTo")), `Welcome to Holdfast, ${user.name}.`, { signIn: user.id });
    },
  );

export default function Signup() {
  const result = useActionData<typeof action>();
  const { reason } = useLoaderData<typeof loader>();
  return (
    <AccountForm
      reason={reason}
      title="Create your account"
      result={result}
      submit={{ label: "Sign up", busyLabel: "Creating account…" }}
      passwordAutoComplete="new-password"
      passwordHint={`At least ${PASSWORD_MIN} characters.`}
      other={{ question: "Already have an account?", to: "/login", label: "Log in" }}
    >
      <FormField label="Name" name="name" autoComplete="name" defaultValue={result?.values.name} error={result?.fieldErrors.name} />
    </AccountForm>
  );
}
