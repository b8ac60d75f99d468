import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext, HandleErrorFunction } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { ServerOnlyContext } from "~/components/server-only";

/**
 * The server entry also exports what the process entry needs from the app: it loads them from
 * the build, so the app's modules (and its error classes) exist once per process, not twice.
 * See docs/decisions/0002-one-copy-of-app-modules.md.
 */
export { seedDemo } from "~/domain/demo.server";
export { createHttpApp } from "~/server/http.server";
export { startJobs } from "~/server/jobs.server";
export { createAppServices } from "~/server/services.server";

const ABORT_DELAY = 5_000;

/** Unexpected errors in loaders and actions: one safe line in the log (users see a plain page). */
export const handleError: HandleErrorFunction = (error, { request, context }) => {
  if (request.signal.aborted) return;
  context.log.error(`${request.method} ${new URL(request.url).pathname}`, error);
};

// Pages hold no deferred data, so each response is rendered whole before it is sent: simpler
// error handling, and the status code is final when the headers go out.
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  return new Promise<Response>((resolve, reject) => {
    let status = responseStatusCode;
    const { pipe, abort } = renderToPipeableStream(
      <ServerOnlyContext.Provider value={loadContext.serverOnly ?? new Map()}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} />
      </ServerOnlyContext.Provider>,
      {
        onAllReady() {
          const body = new PassThrough();
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status }));
          pipe(body);
        },
        onShellError: reject,
        onError(error: unknown) {
          status = 500;
          loadContext.log.error(`rendering ${new URL(request.url).pathname}`, error);
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}
