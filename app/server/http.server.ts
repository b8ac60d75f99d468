import path from "node:path";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express, { type NextFunction, type Request, type Response } from "express";
import type { AppServices } from "./context.server";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * State-changing requests whose Origin names another site are refused. With SameSite=Lax
 * cookies this is our CSRF defence (see docs/decisions/0003-csrf-origin-check.md).
 */
export function isCrossSiteWrite(req: Pick<Request, "method" | "protocol" | "get">): boolean {
  if (SAFE_METHODS.has(req.method)) return false;
  const origin = req.get("origin");
  if (!origin) return false;
  return origin !== `${req.protocol}://${req.get("host")}`;
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
    if (!isCrossSiteWrite(req)) return next();
    const wantsJson = req.path.startsWith("/api/") || req.accepts(["html", "json"]) === "json";
    const message = "Cross-site request refused: this form must be sent from Holdfast itself.";
    if (wantsJson) res.status(403).json({ error: { code: "CROSS_SITE_REQUEST", message } });
    else res.status(403).type("text/plain").send(message);
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
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    console.error("Unhandled request error:", error instanceof Error ? error.message : error);
    if (!res.headersSent) res.status(500).type("text/plain").send("Something went wrong on our side.");
  });
  return app;
}
