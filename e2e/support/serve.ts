import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "~/db/embedded.server";
import { createLogger } from "~/logger.server";
import { type RunningServer, startServer } from "~/server/start.server";
import { findNginx } from "../../tools/cluster/cluster";
import { nginxConfig } from "../../tools/cluster/nginx-config";

/**
 * Playwright's web server: a real PostgreSQL (embedded, in the temp folder) and Holdfast on it,
 * started by the same code as `npm start`. It writes the database URL and session secret to
 * HOLDFAST_E2E_STATE so fixtures can create users and sessions directly.
 */
export interface E2EState {
  databaseUrl: string;
  sessionSecret: string;
  baseUrl: string;
  shortTtlBaseUrl: string;
  /** nginx in front of both servers (round robin), or null when nginx is not installed. */
  nginxBaseUrl: string | null;
  /** Both servers' log, every line down to debug (e2e/logs.spec.ts reads it after the other tests). */
  logFile: string;
  /** Where both servers write their e-mails (.eml files: no SMTP_URL). */
  mailDir: string;
}

/** Holds on the second server end this fast, so a test can watch one run out. */
export const SHORT_TTL_SECONDS = 3;

const port = Number(process.env.E2E_PORT ?? 3100);
const stateFile = process.env.HOLDFAST_E2E_STATE;
if (!stateFile) throw new Error("HOLDFAST_E2E_STATE is not set (run through playwright.config.ts)");

const dataDir = await mkdtemp(path.join(os.tmpdir(), "holdfast-e2e-"));
await chmod(dataDir, 0o755);
const cluster = await startEmbeddedPostgres({ dataDir, flags: ["-c", "fsync=off", "-c", "synchronous_commit=off"] });
const sessionSecret = randomBytes(32).toString("hex");
const mailDir = path.join(dataDir, "mail");
const databaseUrl = cluster.url;

// The log as production writes it (JSON lines), down to debug, kept for e2e/logs.spec.ts.
const logFile = path.join(path.dirname(stateFile), "server.log");
const logger = createLogger("debug", { destination: logFile });

const servers: RunningServer[] = [];
let nginx: ChildProcess | undefined;
async function shutdown() {
  nginx?.kill("SIGQUIT");
  for (const server of servers) await server.close().catch(() => {});
  await cluster.stop().catch(() => {});
  await rm(dataDir, { recursive: true, force: true });
  process.exit(0);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.removeAllListeners(signal);
  process.once(signal, () => void shutdown());
}

const env = (extra: Record<string, string>) => ({
  ...process.env,
  NODE_ENV: "test",
  HOST: "127.0.0.1",
  DATABASE_URL: databaseUrl,
  SESSION_SECRET: sessionSecret,
  // Each test speaks as its own client through X-Forwarded-For, so per-address limits stay per test.
  TRUST_PROXY: "loopback",
  SWEEP_INTERVAL_SECONDS: "1",
  MAIL_DIR: mailDir,
  // The in-process event queue: a newcomer's setup, whatever this machine runs.
  AMQP_URL: "",
  ...extra,
});
// The short-TTL server starts first: Playwright waits on the main port, so both are up by then.
servers.push(await startServer({ env: env({ PORT: String(port + 1), HOLD_TTL_SECONDS: String(SHORT_TTL_SECONDS) }), logger }));
// nginx in front of both, when it is installed: the live-map test goes through it.
const nginxBinary = findNginx();
let nginxBaseUrl: string | null = null;
if (nginxBinary) {
  const prefix = path.join(dataDir, "nginx");
  await mkdir(prefix, { recursive: true });
  const config = path.join(prefix, "nginx.conf");
  await writeFile(config, nginxConfig({ listenPort: port + 2, upstreamPorts: [port + 1, port], prefix }));
  nginx = spawn(nginxBinary, ["-p", prefix, "-c", config, "-g", "daemon off;"], { stdio: "ignore" });
  nginxBaseUrl = `http://127.0.0.1:${port + 2}`;
} else {
  console.log("e2e: nginx is not installed: the test through nginx will be skipped (Debian: apt-get install nginx)");
}
// The state is written before the main server listens: tests start once it answers.
await writeFile(
  stateFile,
  JSON.stringify({
    databaseUrl,
    sessionSecret,
    baseUrl: `http://localhost:${port}`,
    shortTtlBaseUrl: servers[0].url,
    nginxBaseUrl,
    logFile,
    mailDir,
  } satisfies E2EState),
);
servers.push(await startServer({ env: env({ PORT: String(port) }), logger }));
console.log(`e2e servers ready on ${servers[1].url} and ${servers[0].url} (short holds)`);
