import { once } from "node:events";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { loadOrCreateDevSecret } from "~/auth/cookie.server";
import { type Config, loadConfig, PROJECT_ROOT } from "~/config.server";
import { connectDatabase, type Database } from "~/db/client.server";
import { openDatabase } from "~/db/open.server";
import type * as AppEntry from "~/entry.server";
import { createLogger, type Logger } from "~/logger.server";

export interface RunningServer {
  url: string;
  port: number;
  config: Config;
  log: Logger;
  databaseUrl: string;
  /** Stop accepting, finish in-flight requests, stop jobs, close the pool, stop PostgreSQL. */
  close(): Promise<void>;
}

/**
 * Starts Holdfast in order: config → database → migrations → background jobs → HTTP.
 * Anything that fails on the way undoes what was started before it.
 */
export async function startServer(
  options: { env?: Record<string, string | undefined>; buildPath?: string; logger?: Logger } = {},
): Promise<RunningServer> {
  const config = loadConfig(options.env ?? process.env);
  const log = options.logger ?? createLogger(config.logLevel, { format: config.logFormat });
  const cleanups: Array<() => Promise<void>> = [];
  const undo = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    const opened = await openDatabase(config, log);
    cleanups.push(() => opened.stop());
    const databaseUrl = opened.url;
    const database: Database = connectDatabase(databaseUrl, {
      max: config.dbPoolSize,
      connectTimeoutSeconds: config.dbConnectTimeoutSeconds,
      statementTimeoutMs: config.dbStatementTimeoutMs,
      acquireTimeoutMs: config.dbAcquireTimeoutMs,
      replicaUrls: config.databaseReplicaUrls,
      directUrl: config.databaseDirectUrl,
      pooler: config.databasePooler,
      // Which replica by its place in DATABASE_REPLICA_URLS: a URL may carry a password.
      onReplicaFailed: (replica, error) =>
        log.error(
          `read replica ${replica + 1} of ${config.databaseReplicaUrls.length} failed; the listing was read from the primary`,
          error,
        ),
    });
    cleanups.push(() => database.close());

    const secret = config.sessionSecret ?? (await loadOrCreateDevSecret(config.dataDir));
    // Everything that touches the domain comes from the build: one copy of its modules per process.
    const buildPath = options.buildPath ?? path.join(PROJECT_ROOT, "build", "index.js");
    const build = await loadBuild(buildPath);
    const app = build.entry.module;
    if (config.demoSeed) await app.seedDemo(database.db, log);
    const services = app.createAppServices({ config, log, database, sessionSecret: secret });
    cleanups.push(() => services.showCache.close());
    const jobs = app.startJobs(services, log);
    cleanups.push(() => jobs.stop());

    // Stopped after the HTTP server has drained (cleanups run in reverse): the events of the last
    // requests go out before the relay stops. Started once the server listens (e-mails link to it).
    let events: { stop(): Promise<void> } | undefined;
    cleanups.push(async () => events?.stop());
    const seatEvents = app.startSeatEvents(database.listenSql, log, { recent: services.recentSeatCodes });
    const listener = app.createHttpApp({ build, services, publicDir: path.join(PROJECT_ROOT, "public"), seatEvents });
    const server: Server = createServer(listener).listen(config.port, config.host);
    await once(server, "listening");
    cleanups.push(() => closeHttp(server));
    // Undone first (cleanups run in reverse): open streams end, so the HTTP server can close.
    cleanups.push(() => seatEvents.stop());
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    const url = `http://localhost:${port}`;
    log.info(`Holdfast is listening on ${url}`);
    // E-mails link to PUBLIC_URL, or (development) to where this server listens.
    if (config.isProduction && !config.publicUrl)
      log.error(`PUBLIC_URL is not set: e-mails will link to ${url}, which buyers cannot reach. Set it to the address they use.`);
    events = app.startEvents({
      db: database.db,
      log,
      amqpUrl: config.amqpUrl,
      smtpUrl: config.smtpUrl,
      mailDir: config.mailDir,
      mailFrom: config.mailFrom,
      publicUrl: config.publicUrl ?? url,
      showCache: services.showCache,
    });

    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      config,
      log,
      databaseUrl,
      close: () => (closing ??= undo()),
    };
  } catch (error) {
    await undo();
    throw error;
  }
}

type AppBuild = ServerBuild & { entry: { module: typeof AppEntry } };

async function loadBuild(buildPath: string): Promise<AppBuild> {
  try {
    return (await import(pathToFileURL(buildPath).href)) as AppBuild;
  } catch (error) {
    throw new Error(
      `Could not load the app build at ${buildPath} (run "npm run build" first): ${error instanceof Error ? error.message : error}`,
    );
  }
}

/** Stops accepting, lets in-flight requests finish (up to 10 s), then drops what is left. */
async function closeHttp(server: Server) {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), 10_000);
  await closed;
  clearTimeout(timer);
}
