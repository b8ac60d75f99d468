import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { getSession } from "~/auth/guards.server";

// Logging out changes state, so only POST does it; a GET (a prefetch, a link) just goes home.
export const loader = () => redirect("/");

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await getSession(request, context);
  return redirect("/", { headers: { "Set-Cookie": await context.sessions.destroySession(session) } });
}
