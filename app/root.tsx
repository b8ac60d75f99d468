import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLoaderData,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import { useEffect } from "react";
import { getOptionalUser, getSession } from "~/auth/guards.server";
import { FlashMessage } from "~/components/flash-message";
import { HoldBanner, type LiveHoldView } from "~/components/hold-banner";
import { useNonce } from "~/components/nonce";
import { SiteHeader } from "~/components/site-header";
import { listLiveHolds } from "~/domain/bookings.server";
import { clockIn } from "~/domain/time";
import { pageLoader, type ServerErrorData } from "~/http/page.server";
import stylesheet from "~/tailwind.css";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.ico" },
];

export const meta: MetaFunction = () => [{ title: "Holdfast" }];

export const loader = (args: LoaderFunctionArgs) =>
  pageLoader(args, async ({ request, context }) => {
    const session = await getSession(request, context);
    const flash = session.get("flash") ?? null;
    const user = await getOptionalUser(request, context);
    const headers = flash ? { "Set-Cookie": await context.sessions.commitSession(session) } : undefined;
    const now = new Date();
    const holds = user ? await listLiveHolds(context.db, user.id, now) : [];
    const liveHolds = holds.map(
      (h): LiveHoldView => ({
        id: h.id,
        showName: h.show.name,
        seats: h.seats.map((s) => s.label),
        expiresAt: h.expiresAt.toISOString(),
        heldUntil: clockIn(h.expiresAt, h.show.timeZone),
      }),
    );
    return json(
      { user: user && { id: user.id, name: user.name, role: user.role }, flash, liveHolds, serverNow: now.getTime() },
      { headers },
    );
  });

export function Layout({ children }: { children: React.ReactNode }) {
  const nonce = useNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  const { user, flash, liveHolds, serverNow } = useLoaderData<typeof loader>();
  // Says the page is interactive (browser tests wait for it before clicking: a click during
  // hydration can be lost). Nothing depends on it otherwise.
  useEffect(() => {
    document.documentElement.dataset.hydrated = "true";
  }, []);
  return (
    <>
      <SiteHeader user={user} />
      <HoldBanner holds={liveHolds} serverNow={serverNow} />
      <main className="mx-auto w-full max-w-5xl px-4 py-6 sm:py-10">
        {flash ? <FlashMessage flash={flash} /> : null}
        <Outlet />
      </main>
    </>
  );
}

/** Errors render inside the layout; a stack trace never reaches the page. */
export function ErrorBoundary() {
  const error = useRouteError();
  const data = useRouteLoaderData<typeof loader>("root");
  let title = "Something went wrong";
  let message = "We could not show this page. Please try again in a moment.";
  let status = 500;
  let requestId: string | undefined;
  if (isRouteErrorResponse(error)) {
    status = error.status;
    const serverError = isServerErrorData(error.data) ? error.data : undefined;
    requestId = serverError?.requestId;
    if (status === 404) {
      title = "Page not found";
      message = "There is nothing at this address. Check the link, or go back to the shows.";
    } else if (status === 403) {
      title = "Not allowed";
      message = typeof error.data === "string" && error.data ? error.data : "You do not have access to this page.";
    } else if (status === 503) {
      title = "Back in a moment";
      message = serverError?.message ?? message;
    } else {
      title = error.statusText || title;
      message = serverError?.message ?? (typeof error.data === "string" && error.data ? error.data : message);
    }
  }
  return (
    <>
      <SiteHeader user={data?.user ?? null} />
      <main className="mx-auto w-full max-w-5xl px-4 py-10">
        <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
          <p className="text-sm font-semibold text-slate-500">Error {status}</p>
          <h1 className="mt-1 text-2xl font-bold">{title}</h1>
          <p className="mt-2 text-slate-700">{message}</p>
          {requestId ? (
            <p className="mt-3 text-sm text-slate-600">
              If you tell us about this, quote the reference <code className="select-all font-mono">{requestId}</code>.
            </p>
          ) : null}
          <a href="/" className="mt-4 inline-block text-brand-600 underline">
            Back to the shows
          </a>
        </div>
      </main>
    </>
  );
}

/** A server error's data (page.server.ts): its message and the request's id. */
function isServerErrorData(value: unknown): value is ServerErrorData {
  const data = value as Partial<ServerErrorData> | null;
  return typeof data === "object" && data !== null && typeof data.message === "string" && typeof data.requestId === "string";
}
