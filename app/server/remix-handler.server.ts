/**
 * Serves the Remix build from Node's own request and response, in place of @remix-run/express.
 *
 * Why our own: the body is read here, counting bytes as they arrive, so any body over the limit
 * gets a 413 before it is read whole, chunked or not; the Fetch Request is built from those bytes
 * (no stream bridging); pages come back as finished bytes (entry.server.tsx renders them whole),
 * written in one go and gzipped here when the client accepts it; and a request does no work that
 * nobody asked for (no AbortController per request: a request whose client went away finishes its
 * short work and its answer is dropped). See docs/decisions/0009-one-round-trip-transactions.md
 * for the figures.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { type AppLoadContext, createRequestHandler, type ServerBuild } from "@remix-run/node";
import { RETRY_AFTER_SECONDS } from "~/db/unavailable.server";
import { compressSegment, type Segment, stitch } from "~/seat-map/deflate-stitch.server";
import type { DocumentParts } from "~/seat-map/splice.server";

const gzipAsync = promisify(gzip);

/** Bytes a page put aside for the response (entry.server.tsx); the Response it returns has no body. */
export const DOCUMENT_BODY = Symbol("holdfast.documentBody");
export type DocumentBody = DocumentParts;
const isSegment = (part: Buffer | Segment): part is Segment => !Buffer.isBuffer(part);

/** Bodies smaller than this go out as they are: gzip would cost more than it saves. */
const GZIP_MIN_BYTES = 1024;
const COMPRESSIBLE = /^(text\/|application\/json|application\/javascript|image\/svg)/;

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`This request is too large (at most ${Math.round(limit / 1024 / 1024)} MB).`);
  }
}

/** Reads a request body, refusing it as soon as it passes `limit` bytes (whatever Content-Length said). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) return Promise.reject(new BodyTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        // Stop reading: what is left is drained by Node when the response ends.
        req.pause();
        reject(new BodyTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    req.once("error", reject);
  });
}

function toFetchHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  return headers;
}

export interface RemixHandlerOptions {
  build: ServerBuild;
  mode: "production" | "development";
  /** The request's origin as the client sees it (proxies considered). */
  origin: (req: IncomingMessage) => string;
  loadContext: (req: IncomingMessage) => AppLoadContext;
  maxBodyBytes: number;
}

export function createRemixHandler(options: RemixHandlerOptions) {
  const handle = createRequestHandler(options.build, options.mode);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? "GET";
    const hasBody = method !== "GET" && method !== "HEAD";
    const body = hasBody ? await readBody(req, options.maxBodyBytes) : null;
    const request = new Request(options.origin(req) + (req.url ?? "/"), {
      method,
      headers: toFetchHeaders(req),
      body: body as BodyInit | null,
    });
    const context = options.loadContext(req);
    const response = await handle(request, context);
    await send(req, res, response, (context as unknown as Record<symbol, DocumentBody | undefined>)[DOCUMENT_BODY]);
  };
}

async function send(req: IncomingMessage, res: ServerResponse, response: Response, document: DocumentBody | undefined) {
  // Answered already (the 503 watchdog in http.server.ts, while the database was out of reach).
  if (res.headersSent) return;
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [key, value] of response.headers) {
    if (key !== "set-cookie") res.setHeader(key, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length) res.setHeader("Set-Cookie", cookies);
  // A 503 (the database out of reach: page.server.ts) says when to try again, also when Remix
  // renders it as the error page and leaves the thrown response's headers behind.
  if (response.status === 503 && !response.headers.has("Retry-After")) res.setHeader("Retry-After", String(RETRY_AFTER_SECONDS));
  // Anything answered to someone with a session (their bookings, their seats on a map, admin
  // pages) is theirs alone: no shared cache keeps it, no back button shows it after log-out.
  if (!response.headers.has("Cache-Control") && (req.headers.cookie || cookies.length)) res.setHeader("Cache-Control", "private, no-store");
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  let body: Buffer | null;
  if (response.body === null && document !== undefined) {
    await sendDocument(req, res, document);
    return;
  }
  if (response.body === null) {
    body = null;
  } else if (/text\/event-stream/i.test(response.headers.get("Content-Type") ?? "")) {
    res.flushHeaders();
    const reader = response.body.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) res.write(next.value);
    res.end();
    return;
  } else {
    body = Buffer.from(await response.arrayBuffer());
  }
  if (body === null || body.length === 0) {
    res.end();
    return;
  }
  const type = response.headers.get("Content-Type") ?? "";
  if (body.length >= GZIP_MIN_BYTES && COMPRESSIBLE.test(type) && !response.headers.has("Content-Encoding")) {
    res.setHeader("Vary", "Accept-Encoding");
    if (/\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) {
      body = await gzipAsync(body, { level: 6 });
      res.setHeader("Content-Encoding", "gzip");
    }
  }
  res.setHeader("Content-Length", body.length);
  res.end(body);
}

/** Below this a page is gzipped whole: it is fast enough, and smaller than stitched parts. */
const STITCH_MIN_BYTES = 256 * 1024;
const acceptsDeflate = (req: IncomingMessage) => /\bdeflate\b/.test(String(req.headers["accept-encoding"] ?? ""));

/**
 * A page: with segments compressed ahead (a big seat map) and a client that takes deflate (every
 * browser), only the page's own small parts are compressed now and the rest is stitched in; a
 * page without segments is gzipped whole; a client that takes neither gets it as it is.
 */
async function sendDocument(req: IncomingMessage, res: ServerResponse, parts: DocumentParts) {
  const raw = parts.map((p) => (isSegment(p) ? p.raw : p));
  res.setHeader("Vary", "Accept-Encoding");
  let out: Buffer[];
  const size = raw.reduce((n, b) => n + b.length, 0);
  // Small pages compress better whole (and quickly); big ones are stitched from parts compressed ahead.
  if (size >= STITCH_MIN_BYTES && parts.some(isSegment) && acceptsDeflate(req)) {
    out = stitch(parts.map((p) => (isSegment(p) ? p : compressSegment(p))));
    res.setHeader("Content-Encoding", "deflate");
  } else if (/\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) {
    out = [await gzipAsync(raw.length === 1 ? raw[0] : Buffer.concat(raw, size), { level: 6 })];
    res.setHeader("Content-Encoding", "gzip");
  } else {
    out = raw;
  }
  const body = out.length === 1 ? out[0] : Buffer.concat(out);
  res.setHeader("Content-Length", body.length);
  res.end(body);
}
