import path from "node:path";
import postgres from "postgres";
import type { Config } from "~/config.server";
import type { Logger } from "~/logger.server";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "./embedded.server";
import { runMigrations } from "./migrate.server";

export interface OpenedDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

async function ensureDatabase(embedded: EmbeddedDatabase, name: string) {
  const admin = postgres(embedded.url, { max: 1, onnotice: () => {} });
  try {
    const rows = await admin`select 1 from pg_database where datname = ${name}`;
    if (rows.length === 0) await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/**
 * The database the app will use, migrated: `DATABASE_URL` when set, otherwise the embedded
 * PostgreSQL in the data folder. `stop()` stops the embedded cluster (a no-op for an external one).
 */
export async function openDatabase(config: Config, log: Logger): Promise<OpenedDatabase> {
  if (config.databaseUrl) {
    await runMigrations(config.databaseUrl);
    return { url: config.databaseUrl, embedded: false, stop: async () => {} };
  }
  log.info(`Starting the embedded PostgreSQL (data in ${path.resolve(config.dataDir)})`);
  const cluster = await startEmbeddedPostgres({ dataDir: config.dataDir, log: (l) => log.debug(l) });
  try {
    await ensureDatabase(cluster, "holdfast");
    const url = cluster.urlFor("holdfast");
    await runMigrations(url);
    log.info(`Embedded PostgreSQL ready on port ${cluster.port}`);
    return { url, embedded: true, stop: () => cluster.stop() };
  } catch (error) {
    await cluster.stop().catch(() => {});
    throw error;
  }
}
