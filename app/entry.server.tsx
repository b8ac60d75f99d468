import type { AppLoadContext, EntryContext, HandleErrorFunction } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { renderToString } from "react-dom/server";
import { NonceContext } from "~/components/nonce";
import { ServerOnly, ServerOnlyContext } from "~/components/server-only";
import { pagePolicy } from "~/http/security-headers.server";
import { spliceDocument } from "~/seat-map/splice.server";
import { DOCUMENT_BODY, type DocumentBody } from "~/server/remix-handler.server";

/**
 * The server entry also exports what the process entry needs from the app: it loads them from
 * the build, so the app's modules (and its error classes) exist once per process, not twice.
 * See docs/decisions/0002-one-copy-of-app-modules.md.
 */
export { seedDemo } from "~/domain/demo.server";
export { startEvents } from "~/events/events.server";
export { createHttpApp } from "~/server/http.server";
export { startJobs } from "~/server/jobs.server";
export { startSeatEvents } from "~/server/seat-events.server";
export { createAppServices } from "~/server/services.server";

/** Unexpected errors in loaders and actions: one safe line in the log (users see a plain page). */
export const handleError: HandleErrorFunction = (error, { request, context }) => {
  if (request.signal.aborted) return;
  // A client's own mistake Remix answered with a 4xx (a malformed ?_data=): nothing of ours failed.
  if (isRouteErrorResponse(error) && error.status < 500) return;
  context.log.error(`${request.method} ${new URL(request.url).pathname}`, error);
};

/**
 * Pages hold no deferred data, so each is rendered whole, as a string, before anything is sent:
 * simpler error handling, the status is final when the headers go out, and the bytes go to the
 * Remix handler (server/remix-handler.server.ts) beside the Response rather than through a web
 * stream. Parts a loader prepared as bytes (the seat map) are spliced in where their marker is.
 */
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.nonce ?? "";
  const html = renderToString(
    <NonceContext.Provider value={nonce}>
      <ServerOnlyContext.Provider value={loadContext.serverOnly ?? new ServerOnly()}>
        <RemixServer context={remixContext} url={request.url} nonce={nonce} />
      </ServerOnlyContext.Provider>
    </NonceContext.Provider>,
  );
  responseHeaders.set("Content-Type", "text/html; charset=utf-8");
  responseHeaders.set("Content-Security-Policy", pagePolicy(nonce));
  (loadContext as unknown as Record<symbol, DocumentBody>)[DOCUMENT_BODY] = spliceDocument(
    `<!DOCTYPE html>${html}`,
    loadContext.serverOnly,
  );
  return new Response(null, { headers: responseHeaders, status: responseStatusCode });
}
