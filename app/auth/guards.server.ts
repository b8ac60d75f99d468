import { type AppLoadContext, redirect } from "@remix-run/node";
import type { PublicUser } from "~/domain/accounts.server";
import { Forbidden } from "~/domain/errors";
import { mayCheckIn } from "~/domain/roles";
import { selectionPath } from "~/domain/selection";
import { findSessionUser } from "~/domain/sessions.server";

// The cookie is parsed and its signature checked once per request, however many steps ask.
const sessionsOfRequests = new WeakMap<Request, ReturnType<AppLoadContext["sessions"]["getSession"]>>();

export function getSession(request: Request, context: AppLoadContext) {
  let session = sessionsOfRequests.get(request);
  if (!session) {
    session = context.sessions.getSession(request.headers.get("Cookie"));
    sessionsOfRequests.set(request, session);
  }
  return session;
}

/**
 * The signed-in user, read fresh from the database with their session: a role is never trusted
 * from the cookie, and a cookie whose session has ended (log-out, "log out everywhere", a new
 * password) signs nobody in, even a copy of it.
 */
export function getOptionalUser(request: Request, context: AppLoadContext): Promise<PublicUser | null> {
  // Read once per request, however many loaders ask (the root's and the page's run side by side,
  // each with a request of its own, but with the request's one context).
  let user = usersOfRequests.get(context);
  if (!user) {
    user = (async () => {
      const session = await getSession(request, context);
      const userId = session.get("userId");
      const sessionId = session.get("sid");
      if (!userId || !sessionId) return null;
      return findSessionUser(context.db, sessionId, userId);
    })();
    usersOfRequests.set(context, user);
  }
  return user;
}
const usersOfRequests = new WeakMap<AppLoadContext, Promise<PublicUser | null>>();

/** After an action (which may have changed the user or their session), the page's loaders read the user afresh. */
export function forgetRequestUser(context: AppLoadContext) {
  usersOfRequests.delete(context);
}

/** The server-side session id in the cookie (the account page marks "this device" with it). */
export async function getSessionId(request: Request, context: AppLoadContext): Promise<string | undefined> {
  return (await getSession(request, context)).get("sid");
}

/**
 * Only paths on this site: an open redirect would let a phishing link bounce through our login.
 * Browsers drop tabs and newlines from URLs and read a backslash as a slash, so those never pass;
 * the path must parse to our own origin, and its normalised form must not start with "//".
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof to !== "string" || !to.startsWith("/") || /[\p{Cc}\\]/u.test(to) || to.startsWith("//")) {
    return fallback;
  }
  const base = "http://holdfast.invalid";
  const url = new URL(to, base);
  // What goes into Location is the normalised path: "/.//evil.example" normalises to
  // "//evil.example", which a browser reads as another host.
  if (url.origin !== base || url.pathname.startsWith("//")) return fallback;
  return url.pathname + url.search + url.hash;
}

/**
 * The signed-in user's id, without reading the user: for actions whose domain call checks the
 * user itself (a hold checks the buyer exists; payment, release and cancel only touch the user's
 * own booking). The session must not have expired (the signed `exp`) nor ended (known to every
 * process within a few seconds: auth/ended-sessions.server.ts).
 * Anything that needs the role or the name uses requireUser.
 */
export async function requireUserId(request: Request, context: AppLoadContext): Promise<{ id: string }> {
  const session = await getSession(request, context);
  const userId = session.get("userId");
  const sessionId = session.get("sid");
  const expires = session.get("exp") ?? 0;
  if (!userId || !sessionId || expires <= Date.now() || !(await context.sessionChecks.isLive(sessionId))) {
    throw redirect(loginPath(request));
  }
  return { id: userId };
}

/**
 * requireUserId for the seat map's hold: a visitor is sent to log in with the seats they ticked
 * in the address they come back to, so the choice survives log-in and sign-up (domain/selection.ts).
 */
export async function requireBuyerId(request: Request, context: AppLoadContext): Promise<{ id: string }> {
  try {
    return await requireUserId(request, context);
  } catch (error) {
    if (!(error instanceof Response) || error.status !== 302) throw error;
    const form = await request.formData().catch(() => null);
    const back = selectionPath(new URL(request.url).pathname, form?.getAll("seat") ?? []);
    throw redirect(`/login?${new URLSearchParams({ redirectTo: back })}`);
  }
}

function loginPath(request: Request) {
  const url = new URL(request.url);
  return `/login?${new URLSearchParams({ redirectTo: `${url.pathname}${url.search}` })}`;
}

export async function requireUser(request: Request, context: AppLoadContext): Promise<PublicUser> {
  const user = await getOptionalUser(request, context);
  if (!user) throw redirect(loginPath(request));
  return user;
}

/** Door staff or an administrator: the door's check-in and its list. */
export async function requireDoor(request: Request, context: AppLoadContext): Promise<PublicUser> {
  const user = await requireUser(request, context);
  if (!mayCheckIn(user.role)) throw new Forbidden("This page is for door staff.");
  return user;
}

export async function requireAdmin(request: Request, context: AppLoadContext): Promise<PublicUser> {
  const user = await requireUser(request, context);
  if (user.role !== "ADMIN") throw new Forbidden("This page is for administrators.");
  return user;
}
