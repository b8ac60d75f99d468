import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express, { type NextFunction, type Request, type Response } from "express";
import proxyAddr from "proxy-addr";
import { v1Handlers } from "~/api/v1/index.server";
import { ServerOnly } from "~/components/server-only";
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE, unavailableMessageOf } from "~/db/unavailable.server";
import { Forbidden } from "~/domain/errors";
import { holdStats } from "~/domain/holds.server";
import { showExists } from "~/domain/shows.server";
import { API_PREFIX, apiErrorBody, apiServerErrorBody, createApiRouter } from "~/http/api.server";
import { statusOf } from "~/http/errors.server";
import { buildOpenApiDocument } from "~/http/openapi.server";
import { fateOf } from "~/http/request-fate";
import { API_DOCS_POLICY, baseSecurityHeaders, newNonce } from "~/http/security-headers.server";
import { logStats, requestIdOf, setRequestId } from "~/logger.server";
import type { AppServices } from "./context.server";
import { BodyTooLarge, createRemixHandler } from "./remix-handler.server";
import type { SeatEvents } from "./seat-events.server";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Larger than any form here (a 1 MB name still gets its 400 and a message), small enough to refuse floods. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
/** What a proxy's request id may look like (nginx's $request_id: 32 hex digits; a UUID). */
const REQUEST_ID = /^[A-Za-z0-9-]{16,64}$/;

/**
 * State-changing requests whose Origin names another site are refused. With SameSite=Lax
 * cookies this is our CSRF defence (see docs/decisions/0003-csrf-origin-check.md). Hosts are
 * compared, not schemes, so a proxy that ends TLS does not turn every form into a 403; behind a
 * trusted proxy (TRUST_PROXY) the host it forwards counts too.
 */
export function isCrossSiteWrite(req: Pick<Request, "method" | "get" | "hostname">, trustProxy: boolean): boolean {
  if (SAFE_METHODS.has(req.method)) return false;
  const origin = req.get("origin");
  if (!origin) return false;
  let from: URL;
  try {
    from = new URL(origin);
  } catch {
    return true; // "null" and other opaque origins
  }
  if (from.host === req.get("host")) return false;
  return !(trustProxy && from.hostname === req.hostname);
}

/** The origin the client used: req.hostname and req.protocol respect TRUST_PROXY; the port comes from Host. */
function originOf(req: Request): string {
  const port = /:(\d+)$/.exec(req.get("X-Forwarded-Host") ?? req.get("host") ?? "")?.[1];
  return `${req.protocol}://${req.hostname}${port ? `:${port}` : ""}`;
}

const isLoopback = (address: string | undefined) => address === "127.0.0.1" || address === "::1" || address === "::ffff:127.0.0.1";

export function createHttpApp(options: { build: ServerBuild; services: AppServices; publicDir: string; seatEvents?: SeatEvents }) {
  const { build, services, publicDir, seatEvents } = options;
  // This server among several behind a load balancer: random per start, in every answer's
  // X-Holdfast-Instance header and in /healthz (an operator, or a test, can tell who answered).
  const instanceId = randomBytes(6).toString("hex");
  const app = express();
  app.disable("x-powered-by");
  const securityHeaders = baseSecurityHeaders(services.config.isProduction);
  app.use((_req, res, next) => {
    for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
    next();
  });
  // req.ip is the socket's address unless TRUST_PROXY says which proxies may speak for clients.
  app.set("trust proxy", services.config.trustProxy);
  // Remix reads the query string itself; express's parser (qs) would only cost time.
  app.set("query parser", false);

  // The API's reference, read from the served document by Swagger UI's own files (no CDN: works offline).
  const swaggerUi = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  app.get(["/api/docs", "/api/docs/"], (_req, res) => {
    res.type("html").set({ "Cache-Control": "no-cache", "Content-Security-Policy": API_DOCS_POLICY }).send(API_DOCS_PAGE);
  });
  app.get("/api/docs/init.js", (_req, res) => {
    res.type("application/javascript").set("Cache-Control", "no-cache").send(API_DOCS_SCRIPT);
  });
  app.use("/api/docs", compression(), express.static(swaggerUi, { index: false, maxAge: "1d" }));

  // Scripts and styles are compressed by the compression middleware; pages and data by the Remix
  // handler (which knows their size), so the hot paths skip the middleware's per-request work.
  app.use("/build", compression(), express.static(path.join(publicDir, "build"), { immutable: true, maxAge: "1y" }));
  // Other public files (the favicon) are looked up only for paths that name a file: a stat per
  // page request would be a system call wasted on every seat map and every hold.
  const publicFiles = express.static(publicDir, { maxAge: "1h", index: false });
  app.use((req, res, next) => (/\.[A-Za-z0-9]+$/.test(req.path) ? publicFiles(req, res, next) : next()));

  app.get("/healthz", (_req, res) => {
    // Which process answered: behind a load balancer, an operator (or a test) can tell instances apart.
    res.json({ status: "ok", uptimeSeconds: Math.round(process.uptime()), instance: instanceId });
  });
  app.get("/readyz", async (_req, res) => {
    try {
      await services.pingDatabase();
      res.json({ status: "ok", database: "up" });
    } catch {
      res.status(503).json({ status: "unavailable", database: "down" });
    }
  });

  // Counters for operators and the benchmark, in Prometheus's text format. Loopback only: they
  // say nothing secret, but nothing outside the machine needs them either.
  app.get("/metrics", (req, res) => {
    if (!isLoopback(req.socket.remoteAddress)) {
      res.status(404).type("text/plain").send("Not found");
      return;
    }
    const counters: Array<[string, string, number]> = [
      ["holdfast_holds_total", "holds placed", holdStats.held],
      ["holdfast_hold_cas_retries_total", "compare-and-swap attempts lost to a race and tried again", holdStats.casRetries],
      ["holdfast_hold_lock_fallbacks_total", "holds decided by the FOR UPDATE fallback", holdStats.lockFallbacks],
      ["holdfast_db_statements_total", "statements sent to PostgreSQL", services.dbStats.statements],
      ["holdfast_log_lines_dropped_total", "log lines dropped because their reader was too slow", logStats.droppedLines],
    ];
    const gauges: Array<[string, string, number]> = [["holdfast_seat_streams_open", "live seat map streams open", seatEvents?.open ?? 0]];
    res
      .type("text/plain; version=0.0.4")
      .send(
        counters.map(([name, help, value]) => `# HELP ${name} ${help}\n# TYPE ${name} counter\n${name} ${value}\n`).join("") +
          gauges.map(([name, help, value]) => `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${value}\n`).join(""),
      );
  });

  // An address whose %-escapes are not UTF-8 (`/bookings/%ff`) names nothing here: a 400 that
  // says so, rather than the router's URIError becoming a 500.
  app.use((req, res, next) => {
    try {
      decodeURIComponent(req.path);
    } catch {
      res.status(400).type("text/plain").send("This address is not valid: its %-escapes do not spell UTF-8 text.");
      return;
    }
    next();
  });

  // A seat map's live changes (server/seat-events.server.ts): a long-lived stream, answered here
  // rather than by Remix, and never compressed (each event must leave at once).
  app.get("/shows/:showId/events", async (req, res) => {
    const refuse = (status: number, code: string, message: string) => res.status(status).json(apiErrorBody(code, message));
    if (!seatEvents) return refuse(503, "unavailable", "Live updates are off here: the map polls instead");
    try {
      if (!(await showExists(services.db, req.params.showId))) return refuse(404, "not_found", "There is no such show");
    } catch {
      return refuse(503, "unavailable", "The database is not answering: the map polls instead");
    }
    seatEvents.stream(req, res, req.params.showId);
  });

  app.use((req, res, next) => {
    if (!isCrossSiteWrite(req, services.config.trustProxy !== false)) return next();
    const refused = new Forbidden("Cross-site request refused: this form must be sent from Holdfast itself.");
    const wantsJson = req.path.startsWith("/api/") || req.accepts(["html", "json"]) === "json";
    res.status(statusOf(refused));
    if (wantsJson) res.json(apiErrorBody(refused.code, refused.message));
    else res.type("text/plain").send(refused.message);
  });

  const remix = createRemixHandler({
    build,
    // Always production mode: development mode sends stack traces (with server paths) to clients.
    mode: "production",
    maxBodyBytes: MAX_BODY_BYTES,
    origin: (req) => originOf(req as Request),
    loadContext: (req) => ({
      ...services,
      clientAddress: (req as Request).ip ?? req.socket.remoteAddress ?? "unknown",
      requestId: requestIdOf(req) ?? "none",
      log: services.log.forRequest(requestIdOf(req) ?? "none"),
      nonce: newNonce(),
      serverOnly: new ServerOnly(),
      claim: fateOf(req).claim,
    }),
  });
  app.all("*", (req, res, next) => {
    remix(req, res).catch((error) => {
      if (!(error instanceof BodyTooLarge)) return next(error);
      // Say so and close: the rest of the body is not worth reading.
      res.setHeader("Connection", "close");
      res.status(413).type("text/plain").send(error.message);
    });
  });

  // Last resort: never a stack trace to the user; the request's id to quote instead.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const reference = `Reference: ${requestIdOf(req) ?? "none"}.`;
    const log = services.log.forRequest(requestIdOf(req) ?? "none");
    if (isDatabaseUnavailable(error)) {
      log.error(`${req.method} ${req.path}: the database is out of reach (${describeCode(error)})`);
      if (!res.headersSent)
        res
          .status(503)
          .set("Retry-After", String(RETRY_AFTER_SECONDS))
          .type("text/plain")
          .send(`${unavailableMessageOf(error)} ${reference}`);
      return;
    }
    log.error(`unhandled ${req.method} ${req.path}`, error);
    if (!res.headersSent) res.status(500).type("text/plain").send(`Something went wrong on our side. ${reference}`);
  });

  // The JSON API is answered before express: its own bodies, errors and authentication (bearer
  // tokens, never cookies, so the cross-site check above does not apply to it), and none of
  // express's per-request work on the hottest path. See app/http/api.server.ts.
  let openApi: unknown;
  const trust = app.get("trust proxy fn") as (address: string, hop: number) => boolean;
  const api = createApiRouter({
    services,
    headers: securityHeaders,
    handlers: v1Handlers,
    documents: { [`${API_PREFIX}/openapi.json`]: () => (openApi ??= buildOpenApiDocument()) },
    // As express's req.ip: the socket's address unless TRUST_PROXY says which proxies may speak for clients.
    clientAddress: (req) => proxyAddr(req, trust) ?? "unknown",
  });
  // A request still waiting after the connect bound, while the database does not answer a ping,
  // is answered 503 at once. The database's own errors are answered 503 where they happen
  // (db/unavailable.server.ts); this bounds the case where the driver itself waits: postgres.js
  // can retry a connection that PostgreSQL closes during its shutdown without a limit
  // (porsager/postgres#1193). The work itself goes on and finds the database when it is back.
  const watchdogMs = (services.config.dbConnectTimeoutSeconds + 1) * 1000;
  const answerIfDatabaseDown = async (req: IncomingMessage, res: ServerResponse) => {
    if (res.headersSent) return;
    try {
      await services.pingDatabase();
      return; // the database answers: this request is only slow
    } catch {
      // out of reach: say so
    }
    // A change already sent (a hold committing) is answered with its outcome, never with a 503.
    if (res.headersSent || !fateOf(req).abandon()) return;
    const isApi = (req.url ?? "").startsWith(`${API_PREFIX}/`);
    const requestId = requestIdOf(req);
    services.log.error(
      `${req.method} ${(req.url ?? "").split("?")[0]}: answered 503 after ${watchdogMs} ms, the database is out of reach`,
      undefined,
      {
        reqId: requestId,
      },
    );
    res.writeHead(503, {
      ...securityHeaders,
      "Retry-After": String(RETRY_AFTER_SECONDS),
      "Cache-Control": "no-store",
      "Content-Type": isApi ? "application/json; charset=utf-8" : "text/html; charset=utf-8",
    });
    res.end(isApi ? JSON.stringify(apiServerErrorBody("unavailable", UNAVAILABLE_MESSAGE, requestId)) : unavailablePage(requestId));
  };

  // One line per request, when its answer is sent or its client gone (see logRequest).
  const listener: RequestListener = (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    // A proxy we trust (TRUST_PROXY) may name the request (nginx: proxy_set_header X-Request-Id
    // $request_id), so its log and ours share one id; from anyone else the header is ignored.
    const named = req.headers["x-request-id"];
    const requestId =
      typeof named === "string" &&
      REQUEST_ID.test(named) &&
      services.config.trustProxy !== false &&
      trust(req.socket.remoteAddress ?? "", 0)
        ? named
        : randomUUID();
    setRequestId(req, requestId);
    res.setHeader("X-Request-Id", requestId);
    res.setHeader("X-Holdfast-Instance", instanceId);
    const watchdog = setTimeout(() => void answerIfDatabaseDown(req, res), watchdogMs);
    res.once("close", () => {
      clearTimeout(watchdog);
      // The client left before its answer: a hold not yet sent is not made (nobody would hear of it).
      if (!res.writableFinished) fateOf(req).abandon();
      logRequest(services, req, res, requestId, started);
    });
    api(req, res, () => app(req, res)).catch((error) => {
      if (res.headersSent) return; // the watchdog answered already
      services.log.error(`unhandled ${req.method} ${req.url?.split("?")[0]}`, error, { reqId: requestId });
      res.destroy();
    });
  };
  return listener;
}

/** Probes that a load balancer or monitor sends every few seconds: their lines go at debug, unless they fail. */
const PROBES = new Set(["/healthz", "/readyz", "/metrics"]);

/**
 * The request's line: id, method, path (never the query string, which may carry anything),
 * status and duration in milliseconds; `aborted` when the client went away before the answer
 * was sent whole. Nothing else from the request: no headers, so no cookie and no token.
 */
function logRequest(services: AppServices, req: IncomingMessage, res: ServerResponse, reqId: string, started: number) {
  const url = req.url ?? "/";
  const queryAt = url.indexOf("?");
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const fields: Record<string, unknown> = {
    reqId,
    method: req.method,
    path,
    status: res.statusCode,
    durationMs: Math.round((performance.now() - started) * 100) / 100,
  };
  if (!res.writableFinished) fields.aborted = true;
  if (PROBES.has(path) && res.statusCode < 500) services.log.debug("request", fields);
  else services.log.info("request", fields);
}

const unavailablePage = (requestId = "none") => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Back in a moment · Holdfast</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem">
<p>Error 503</p><h1>Back in a moment</h1><p>${UNAVAILABLE_MESSAGE}</p>
<p style="color: #475569; font-size: 0.875rem">Reference: <code>${requestId}</code></p><p><a href="/">Back to the shows</a></p>
</body></html>`;

const describeCode = (error: unknown) => String((error as { code?: unknown }).code ?? "unknown");

const API_DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Holdfast API reference</title>
  <link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
  <noscript><p>This reference needs JavaScript. The document itself is at <a href="${API_PREFIX}/openapi.json">${API_PREFIX}/openapi.json</a>.</p></noscript>
  <div id="swagger-ui"></div>
  <script src="/api/docs/swagger-ui-bundle.js"></script>
  <script src="/api/docs/init.js"></script>
</body>
</html>`;

const API_DOCS_SCRIPT = `window.ui = SwaggerUIBundle({
  url: "${API_PREFIX}/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: false,
  // Offline: no badge fetched from validator.swagger.io.
  validatorUrl: null,
});`;
