import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { getSession } from "~/auth/guards.server";
import { endSession } from "~/domain/sessions.server";

// Logging out changes state, so only POST does it; a GET (a prefetch, a link) just goes home.
export const loader = () => redirect("/");

/** Ends the session on the server (a copy of the cookie opens nothing after this), then clears the cookie. */
export async function action({ request, context }: ActionFunctionArgs) {
  const session = await getSession(request, context);
  const sid = session.get("sid");
  if (sid) {
    await endSession(context.db, sid);
    context.sessionChecks.markEnded(sid);
  }
  return redirect("/", { headers: { "Set-Cookie": await context.sessions.destroySession(session) } });
}
