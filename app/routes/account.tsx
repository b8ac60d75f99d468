import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { getSession, getSessionId, requireUser } from "~/auth/guards.server";
import { AccountSecurity } from "~/components/account-security";
import { changePassword, isWrongCurrentPassword } from "~/domain/accounts.server";
import { ValidationFailed } from "~/domain/errors";
import { endSessionsOf, listSessions } from "~/domain/sessions.server";
import { counted, plural } from "~/domain/words";
import { pageAction, pageLoader, redirectWithFlash, textField } from "~/http/page.server";

export const meta: MetaFunction = () => [{ title: "Your account · Holdfast" }];

export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, context }) => {
    const user = await requireUser(request, context);
    const sessions = await listSessions(context.db, user.id, await getSessionId(request, context));
    return json({
      user: { name: user.name, email: user.email },
      sessions: sessions.map((s) => ({ ...s, createdAt: s.createdAt.toISOString(), expiresAt: s.expiresAt.toISOString() })),
    });
  });

export const action = (args: ActionFunctionArgs) =>
  pageAction(args, { guard: requireUser, fields: ["currentPassword", "newPassword"] }, async (post) => {
    const { form, user, context, request } = post;
    const sessionId = (await getSessionId(request, context)) ?? "";
    const intent = form.get("intent");
    if (intent === "password") {
      const input = { currentPassword: textField(form, "currentPassword"), newPassword: textField(form, "newPassword") };
      // A stolen session must not become a way to guess the password: the log-in brakes count here too.
      const { endedSessions } = await context.authLimiter.logIn(
        context.clientAddress,
        user.email,
        () => changePassword(context.db, user.id, input, sessionId),
        isWrongCurrentPassword,
      );
      await context.sessionChecks.poll();
      const ended = plural(endedSessions, "1 other session was", `${endedSessions} other sessions were`);
      return redirectWithFlash(post, "/account", `Your password is changed. ${ended} ended.`);
    }
    if (intent === "everywhere") {
      const ended = await endSessionsOf(context.db, user.id);
      await context.sessionChecks.poll();
      const session = await getSession(request, context);
      session.unset("userId");
      session.unset("sid");
      return redirectWithFlash(post, "/login", `You are logged out everywhere (${counted(ended, "session", "sessions")} ended).`);
    }
    throw new ValidationFailed({ intent: "Unknown action" });
  });

export default function Account() {
  const { user, sessions } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return <AccountSecurity user={user} sessions={sessions} result={result} />;
}
