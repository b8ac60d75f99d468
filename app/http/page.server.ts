/**
 * The one adapter between Remix pages and the domain. A page's loader and action read as
 * guard → parse → one domain call → response; everything around that lives here, once:
 * reading a form post, turning a thrown DomainError into a status and a re-rendered form (or the
 * error page), and redirecting with a flash message.
 */
import {
  type ActionFunctionArgs,
  type AppLoadContext,
  json,
  type LoaderFunctionArgs,
  redirect,
  redirectDocument,
  type TypedResponse,
} from "@remix-run/node";
import { type Flash, SESSION_MAX_AGE_SECONDS } from "~/auth/cookie.server";
import { forgetRequestUser, getSession } from "~/auth/guards.server";
import { ServerOnlyKey } from "~/components/server-only";
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS, unavailableMessageOf } from "~/db/unavailable.server";
import { DomainError, ValidationFailed } from "~/domain/errors";
import { endSession, startSession } from "~/domain/sessions.server";
import { plural } from "~/domain/words";
import { headersOf, statusOf } from "./errors.server";

/** What a form gets back when its post failed: what was typed (never a secret), and why. */
export interface FormFailure<V extends Record<string, string> = Record<string, string>> {
  values: V;
  /** Messages for the fields the form shows next to their inputs. */
  fieldErrors: Record<string, string>;
  /** A message for the whole form: a conflict, or rules about fields the form has no input for. */
  formError?: string;
}

/**
 * Reads a form post. A body that is not form data (JSON, a broken multipart body, no content
 * type) is the sender's mistake: it gets a 400 with a clear message, never a 500.
 */
export async function readForm(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    throw new Response("This request could not be read as a form. Please send it again from the page.", {
      status: 400,
      statusText: "Bad Request",
    });
  }
}

/** What the error page gets for a server error (5xx): the message, and the request's id to quote. */
export interface ServerErrorData {
  message: string;
  requestId: string;
}

export const SERVER_ERROR_MESSAGE = "Something went wrong on our side. Please try again in a moment.";

/**
 * What a loader or action threw, as the page's error response (the root error boundary shows
 * it): a response (a redirect) as it is; a domain error with the table's status; the database
 * out of reach as a 503; anything else, a fault of ours, logged here once and answered 500.
 * Server errors carry the request's id, so the page can show what to quote.
 */
function asPageError(error: unknown, args: { request: Request; context: AppLoadContext }): unknown {
  if (error instanceof Response) return error;
  if (error instanceof DomainError) return new Response(error.message, { status: statusOf(error), headers: headersOf(error) });
  const { requestId, log } = args.context;
  if (isDatabaseUnavailable(error)) {
    return json({ message: unavailableMessageOf(error), requestId } satisfies ServerErrorData, {
      status: 503,
      statusText: "Service Unavailable",
      headers: { "Retry-After": String(RETRY_AFTER_SECONDS) },
    });
  }
  log.error(`${args.request.method} ${new URL(args.request.url).pathname}`, error);
  return json({ message: SERVER_ERROR_MESSAGE, requestId } satisfies ServerErrorData, { status: 500 });
}

/**
 * Runs a page loader: a DomainError it throws becomes the error page with the table's status.
 * Routes call it inside their own `loader` arrow (`export const loader = (args) => pageLoader(args, …)`):
 * a bare call at module level would survive tree-shaking into the browser bundle.
 */
export async function pageLoader<T>(args: LoaderFunctionArgs, load: (args: LoaderFunctionArgs) => Promise<T>): Promise<T> {
  try {
    return await load(args);
  } catch (error) {
    throw asPageError(error, args);
  }
}

type Guard<U> = (request: Request, context: AppLoadContext) => Promise<U>;

export interface PageActionOptions<U, V extends Record<string, string>> {
  /** Runs first: requireUser, requireAdmin (it may throw a redirect to log in, or a 403). */
  guard?: Guard<U>;
  /**
   * Fields the form shows next to their inputs; errors about any other field join formError.
   * "all": every field has its place (a big form); formError then sums up.
   */
  fields?: readonly string[] | "all";
  /** What goes back into the form as typed. Never a password or a card number. */
  keep?: (form: FormData) => V;
  /** For handlers that hand the request to remix-auth, which reads the body itself. */
  readCopy?: boolean;
}

export type PageActionArgs<U> = ActionFunctionArgs & { form: FormData; user: U };

/**
 * Runs a page action: guard, then the form read once, then the handler (which calls one domain
 * function and returns a redirect). A DomainError it throws becomes a FormFailure with the
 * table's status and headers, so the page re-renders with messages; nothing else is caught.
 */
export async function pageAction<U = undefined, V extends Record<string, string> = Record<string, never>, R = never>(
  args: ActionFunctionArgs,
  options: PageActionOptions<U, V>,
  handle: (args: PageActionArgs<U>) => Promise<TypedResponse<R>>,
): Promise<TypedResponse<FormFailure<V>> | TypedResponse<R>> {
  // A guard's refusal (403) is the error page, as from a loader; its redirect to log in passes through.
  const user = options.guard
    ? await options.guard(args.request, args.context).catch((error) => Promise.reject(asPageError(error, args)))
    : (undefined as U);
  const form = await readForm(options.readCopy ? args.request.clone() : args.request);
  try {
    return await handle({ ...args, form, user });
  } catch (error) {
    if (!(error instanceof DomainError)) throw asPageError(error, args);
    // The page re-renders after a refused post (without JavaScript): its loader may want to know what was refused.
    args.context.serverOnly?.set(ACTION_FAILURE, { form, error } satisfies ActionFailure);
    return json(formFailure(error, form, options), { status: statusOf(error), headers: headersOf(error) });
  } finally {
    forgetRequestUser(args.context);
  }
}

const ACTION_FAILURE = new ServerOnlyKey<ActionFailure>("page-action-failure");

/** A post the domain refused: what was sent, and why. */
export interface ActionFailure {
  form: FormData;
  error: DomainError;
}

/** In a loader that runs after this request's action (a page re-rendered without JavaScript): what the action was refused, if it was. */
export function actionFailureOf(context: AppLoadContext): ActionFailure | undefined {
  return context.serverOnly?.get(ACTION_FAILURE);
}

/** Longer than any field here accepts: such a value is refused, and never sent back to be shown again. */
export const KEEP_MAX_CHARS = 1000;

function keptValues<V extends Record<string, string>>(values: V): V {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) out[key] = value.length > KEEP_MAX_CHARS ? "" : value;
  return out as V;
}

export function formFailure<V extends Record<string, string>>(
  error: DomainError,
  form: FormData,
  options: Pick<PageActionOptions<unknown, V>, "fields" | "keep">,
): FormFailure<V> {
  const values = keptValues(options.keep ? options.keep(form) : ({} as V));
  if (!(error instanceof ValidationFailed)) return { values, fieldErrors: {}, formError: error.message };
  if (options.fields === "all") {
    const n = Object.keys(error.fieldErrors).length;
    return {
      values,
      fieldErrors: error.fieldErrors,
      formError: `${plural(n, "One field needs", `${n} fields need`)} attention: see the messages below.`,
    };
  }
  const shown = new Set(options.fields ?? []);
  const fieldErrors: Record<string, string> = {};
  const others: string[] = [];
  for (const [field, message] of Object.entries(error.fieldErrors)) {
    if (shown.has(field)) fieldErrors[field] = message;
    else others.push(message);
  }
  return { values, fieldErrors, formError: others.length ? others.join(" ") : undefined };
}

/** A form field as the text that was typed (a file or a missing field is empty). */
export const textField = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
};

/**
 * Redirects after a successful post with a flash message for the next page. `signIn` puts a
 * user in the session (log-in, sign-up); `document` makes the browser load the next page whole
 * (the seat map's grid is rendered on the server only).
 */
export async function redirectWithFlash(
  { request, context }: { request: Request; context: AppLoadContext },
  to: string,
  message: string,
  options: { kind?: Flash["kind"]; document?: boolean; signIn?: string } = {},
): Promise<TypedResponse<never>> {
  const session = await getSession(request, context);
  if (options.signIn) {
    // A new session for every sign-in: whatever session id the cookie carried before is ended,
    // so one planted in a browser before log-in is worth nothing after it.
    const previous = session.get("sid");
    if (previous) {
      await endSession(context.db, previous);
      context.sessionChecks.markEnded(previous);
    }
    const expiresAt = new Date(Date.now() + SESSION_MAX_AGE_SECONDS * 1000);
    const sid = await startSession(context.db, {
      userId: options.signIn,
      kind: "WEB",
      expiresAt,
      origin: { clientAddress: context.clientAddress, userAgent: request.headers.get("User-Agent") ?? undefined },
    });
    session.set("userId", options.signIn);
    session.set("sid", sid);
    session.set("exp", expiresAt.getTime());
  }
  session.flash("flash", { kind: options.kind ?? "success", message });
  const headers = { "Set-Cookie": await context.sessions.commitSession(session) };
  return options.document ? redirectDocument(to, { headers }) : redirect(to, { headers });
}

export { formToObject } from "./form-object";
