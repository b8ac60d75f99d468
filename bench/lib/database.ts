/**
 * A fresh, migrated database for a benchmark run: a new database on the server in DATABASE_URL
 * (dropped afterwards; the database named in the URL is never touched), or an embedded PostgreSQL
 * in the temp folder. pg_stat_statements is on when the server allows it, for statements per hold.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { connectDatabase, type Database } from "~/db/client.server";
import { startEmbeddedPostgres } from "~/db/embedded.server";
import { runMigrations } from "~/db/migrate.server";

export interface BenchDatabase extends Database {
  url: string;
  embedded: boolean;
  /** Whether pg_stat_statements answers (statements per hold are then counted by PostgreSQL). */
  statements: boolean;
  stop(): Promise<void>;
}

const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

export async function freshDatabase(poolSize: number): Promise<BenchDatabase> {
  const external = process.env.DATABASE_URL;
  const name = `holdfast_bench_${randomBytes(4).toString("hex")}`;
  let adminUrl: string;
  let stopCluster = async () => {};
  if (external) {
    adminUrl = external;
  } else {
    const dir = await mkdtemp(path.join(os.tmpdir(), "holdfast-bench-"));
    await chmod(dir, 0o755);
    const cluster = await startEmbeddedPostgres({
      dataDir: dir,
      flags: ["-c", "shared_preload_libraries=pg_stat_statements", "-c", "pg_stat_statements.track=all", "-c", "max_connections=400"],
    });
    adminUrl = cluster.url;
    stopCluster = async () => {
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } catch (error) {
    await admin.end();
    await stopCluster();
    throw new Error(
      `Could not create the benchmark database ${name} on DATABASE_URL: ${(error as Error).message} (the role needs CREATEDB)`,
    );
  }
  const url = withDatabase(adminUrl, name);
  await runMigrations(url);
  const database = connectDatabase(url, { max: poolSize });
  let statements = false;
  try {
    await database.sql`create extension if not exists pg_stat_statements`;
    await database.sql`select pg_stat_statements_reset()`;
    statements = true;
  } catch {
    // not preloaded on this server: statements per hold come from the app's own counter
  }
  return {
    ...database,
    url,
    embedded: !external,
    statements,
    async stop() {
      await database.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
      await admin.end();
      await stopCluster();
    },
  };
}
