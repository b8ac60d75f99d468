import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

export interface DbStats {
  /** Statements sent since the pool opened (for /metrics and the benchmark's statements per request). */
  statements: number;
}

/**
 * The process's pool as Drizzle sees it, with the postgres.js client under it (`$client`, for the
 * hot paths' prepared, pipelined statements) and its statement counter (`$stats`).
 */
export type Db = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql; $stats: DbStats };
/** A pool or an open transaction: domain functions accept either. */
export type DbOrTx = Db | Parameters<Parameters<Db["transaction"]>[0]>[0];

export interface Database {
  db: Db;
  sql: postgres.Sql;
  stats: DbStats;
  close(): Promise<void>;
}

/**
 * One pool per process: the server entry creates it and hands it to Remix through the
 * load context, so the app build and the entry never hold two copies.
 */
export function connectDatabase(
  url: string,
  options: { max?: number; connectTimeoutSeconds?: number; statementTimeoutMs?: number } = {},
): Database {
  const stats: DbStats = { statements: 0 };
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    // Bounded waits: a database out of reach is answered 503 (db/unavailable.server.ts), never a hang.
    connect_timeout: options.connectTimeoutSeconds ?? 5,
    // Timestamps travel as ISO strings with their offset, so the process time zone never matters.
    connection: { TimeZone: "UTC", ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}) },
  });
  const db = Object.assign(
    drizzle(sql, {
      schema,
      casing: "snake_case",
      logger: {
        logQuery: () => {
          stats.statements++;
        },
      },
    }),
    { $stats: stats },
  );
  return {
    db,
    sql,
    stats,
    close: () => sql.end({ timeout: 5 }),
  };
}
