import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext, HandleErrorFunction } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { ServerOnlyContext } from "~/components/server-only";
import { describeError } from "~/http/describe-error";

/**
 * The server entry also exports the app's service factories: the process entry loads them from
 * the build, so the app's modules (and its error classes) exist once per process, not twice.
 */
export { createAppServices } from "~/server/services.server";
export { startJobs } from "~/server/jobs.server";

const ABORT_DELAY = 5_000;

/** Unexpected errors in loaders and actions: one safe line in the log (users see a plain page). */
export const handleError: HandleErrorFunction = (error, { request }) => {
  if (request.signal.aborted) return;
  const url = new URL(request.url);
  console.error(`${new Date().toISOString()} error ${request.method} ${url.pathname}: ${describeError(error)}`);
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
          console.error(`${new Date().toISOString()} error rendering ${new URL(request.url).pathname}: ${describeError(error)}`);
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}
