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

const gzipAsync = promisify(gzip);

/** Bytes a page put aside for the response (entry.server.tsx); the Response it returns has no body. */
export const DOCUMENT_BODY = Symbol("holdfast.documentBody");
export type DocumentBody = Buffer | Buffer[];

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
    const request = new Request(options.origin(req) + (req.url ?? "/"), { method, headers: toFetchHeaders(req), body });
    const context = options.loadContext(req);
    const response = await handle(request, context);
    await send(req, res, response, (context as unknown as Record<symbol, DocumentBody | undefined>)[DOCUMENT_BODY]);
  };
}

async function send(req: IncomingMessage, res: ServerResponse, response: Response, document: DocumentBody | undefined) {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [key, value] of response.headers) {
    if (key !== "set-cookie") res.setHeader(key, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length) res.setHeader("Set-Cookie", cookies);
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  let body: Buffer | null;
  if (response.body === null) {
    body = document === undefined ? null : Array.isArray(document) ? Buffer.concat(document) : document;
  } else if (/text\/event-stream/i.test(response.headers.get("Content-Type") ?? "")) {
    res.flushHeaders();
    for await (const chunk of response.body) res.write(chunk);
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
