import path from "node:path";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express, { type NextFunction, type Request, type Response } from "express";
import { Forbidden } from "~/domain/errors";
import { apiErrorBody } from "~/http/api.server";
import { statusOf } from "~/http/errors.server";
import type { AppServices } from "./context.server";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Larger than any form here (a 1 MB name still gets its 400 and a message), small enough to refuse floods. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

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

export function createHttpApp(options: { build: ServerBuild; services: AppServices; publicDir: string }) {
  const { build, services, publicDir } = options;
  const app = express();
  app.disable("x-powered-by");
  // req.ip is the socket's address unless TRUST_PROXY says which proxies may speak for clients.
  app.set("trust proxy", services.config.trustProxy);
  app.use(compression());

  app.use("/build", express.static(path.join(publicDir, "build"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(publicDir, { maxAge: "1h", index: false }));

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok", uptimeSeconds: Math.round(process.uptime()) });
  });
  app.get("/readyz", async (_req, res) => {
    try {
      await services.pingDatabase();
      res.json({ status: "ok", database: "up" });
    } catch {
      res.status(503).json({ status: "unavailable", database: "down" });
    }
  });

  app.use((req, res, next) => {
    if (Number(req.get("content-length") ?? 0) <= MAX_BODY_BYTES) return next();
    res.status(413).type("text/plain").send("This request is too large (at most 2 MB).");
  });

  app.use((req, res, next) => {
    if (!isCrossSiteWrite(req, services.config.trustProxy !== false)) return next();
    const refused = new Forbidden("Cross-site request refused: this form must be sent from Holdfast itself.");
    const wantsJson = req.path.startsWith("/api/") || req.accepts(["html", "json"]) === "json";
    res.status(statusOf(refused));
    if (wantsJson) res.json(apiErrorBody(refused.code, refused.message));
    else res.type("text/plain").send(refused.message);
  });

  app.all(
    "*",
    createRequestHandler({
      build,
      mode: services.config.isProduction ? "production" : "development",
      getLoadContext: (req) => ({
        ...services,
        clientAddress: req.ip ?? req.socket.remoteAddress ?? "unknown",
        serverOnly: new Map(),
      }),
    }),
  );

  // Last resort: never a stack trace to the user.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    services.log.error(`unhandled ${req.method} ${req.path}`, error);
    if (!res.headersSent) res.status(500).type("text/plain").send("Something went wrong on our side.");
  });
  return app;
}
