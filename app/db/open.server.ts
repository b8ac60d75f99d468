import path from "node:path";
import type { Config } from "~/config.server";
import type { Logger } from "~/logger.server";
import { startEmbeddedPostgres } from "./embedded.server";
import { runMigrations } from "./migrate.server";

export interface OpenedDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * The database the app will use, migrated: `DATABASE_URL` when set, otherwise the embedded
 * PostgreSQL in the data folder. `stop()` stops the embedded cluster (a no-op for an external one).
 */
export async function openDatabase(config: Config, log: Logger): Promise<OpenedDatabase> {
  if (config.databaseUrl) {
    // Never through a transaction-mode pooler: the migrations' session lock needs one connection.
    await runMigrations(config.databaseDirectUrl ?? config.databaseUrl);
    return { url: config.databaseUrl, embedded: false, stop: async () => {} };
  }
  log.info(`Starting the embedded PostgreSQL (data in ${path.resolve(config.dataDir)})`);
  const cluster = await startEmbeddedPostgres({ dataDir: config.dataDir, log: (l) => log.debug(l), notice: (l) => log.info(l) });
  try {
    // The app connects as its own role, never as the superuser (see embedded.server.ts).
    const url = await cluster.provisionApp("holdfast");
    await runMigrations(url);
    log.info(`Embedded PostgreSQL ready on port ${cluster.port}`);
    return { url, embedded: true, stop: () => cluster.stop() };
  } catch (error) {
    await cluster.stop().catch(() => {});
    throw error;
  }
}
