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
  /** Autovacuum is off for every table (`neverAnalysed`): nothing analyses them unless asked. */
  neverAnalysed: boolean;
  stop(): Promise<void>;
}

const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

export interface FreshDatabaseOptions {
  /** Connections the run needs in all (its own pool, the servers' pools): the embedded cluster allows them. */
  maxConnections?: number;
  /**
   * Tables PostgreSQL never analyses by itself: the embedded cluster runs with autovacuum off; on
   * DATABASE_URL's server, autovacuum is turned off table by table (`turnOffAutovacuum`).
   */
  neverAnalysed?: boolean;
}

export async function freshDatabase(poolSize: number, options: FreshDatabaseOptions = {}): Promise<BenchDatabase> {
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
      flags: [
        "-c",
        "shared_preload_libraries=pg_stat_statements",
        "-c",
        "pg_stat_statements.track=top",
        "-c",
        `max_connections=${Math.max(400, options.maxConnections ?? 0)}`,
        ...(options.neverAnalysed ? ["-c", "autovacuum=off"] : []),
      ],
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
  if (options.neverAnalysed) await turnOffAutovacuum(database.sql);
  if (external && options.maxConnections) {
    const [{ max_connections }] = await database.sql<{ max_connections: string }[]>`show max_connections`;
    if (Number(max_connections) < options.maxConnections) {
      console.warn(`warning: DATABASE_URL's server allows ${max_connections} connections; this run may open ${options.maxConnections}`);
    }
  }
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
    neverAnalysed: Boolean(options.neverAnalysed),
    async stop() {
      await database.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
      await admin.end();
      await stopCluster();
    },
  };
}

/** Autovacuum (and so autoanalyze) off for every ordinary table of the database, as it stands now. */
export async function turnOffAutovacuum(sql: postgres.Sql): Promise<void> {
  const tables = await sql<{ name: string }[]>`
    select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'`;
  for (const { name } of tables) {
    await sql.unsafe(`alter table ${name} set (autovacuum_enabled = false, toast.autovacuum_enabled = false)`);
  }
}

/** Tables of the database that have been analysed, by hand or by autovacuum: 0 in a never-analysed run. */
export async function analysedTables(sql: postgres.Sql): Promise<number> {
  const [{ n }] = await sql<{ n: number }[]>`
    select count(*)::int as n from pg_stat_user_tables where last_analyze is not null or last_autoanalyze is not null`;
  return n;
}
