import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadOrCreateDevSecret } from "~/auth/cookie.server";
import { loadConfig, PROJECT_ROOT } from "~/config.server";
import { connectDatabase } from "~/db/client.server";
import { runMigrations } from "~/db/migrate.server";
import { openDatabase } from "~/db/open.server";
import { seedDemo } from "~/domain/demo.server";
import { createLogger } from "~/logger.server";
import { startCluster } from "./cluster/cluster";

/**
 * `npm run cluster -- --instances 3 [--port 8080]`: N instances of the production server on one
 * database, behind nginx on 127.0.0.1:PORT (instances on the ports after it). With no
 * DATABASE_URL the embedded PostgreSQL is started once here (with the demo data) and shared.
 * Ctrl-C stops them all.
 */
async function run() {
  const { values } = parseArgs({ options: { instances: { type: "string", default: "3" }, port: { type: "string", default: "8080" } } });
  const instances = Number(values.instances);
  const port = Number(values.port);
  if (!Number.isInteger(instances) || instances < 1 || instances > 32) throw new Error("--instances must be a whole number from 1 to 32");
  if (!Number.isInteger(port) || port < 1 || port > 65_535 - instances) throw new Error("--port must be a port number");
  const config = loadConfig(process.env);
  const log = createLogger("info", { format: "text" });
  const database = await openDatabase(config, log);
  // Migrated (and, on the embedded database, given its demo data) once, before any instance starts.
  await runMigrations(database.url);
  if (config.demoSeed) {
    const seeding = connectDatabase(database.url, { max: 2 });
    await seedDemo(seeding.db, log).finally(() => seeding.close());
  }
  const secret = config.sessionSecret ?? (await loadOrCreateDevSecret(config.dataDir));
  const prefix = await mkdtemp(path.join(os.tmpdir(), "holdfast-nginx-"));
  const env: Record<string, string> = { ...(process.env as Record<string, string>), DATABASE_URL: database.url, SESSION_SECRET: secret };
  const cluster = await startCluster({ instances, port, projectRoot: PROJECT_ROOT, env, prefix }).catch(async (error) => {
    await database.stop();
    throw error;
  });
  log.info(`Holdfast: ${instances} instance(s) behind nginx at ${cluster.url} (nginx's files in ${prefix}); Ctrl-C stops them all`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log.info("stopping nginx and the instances…");
    await cluster.stop();
    await database.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

run().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
