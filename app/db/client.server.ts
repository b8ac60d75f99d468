import { withReplicas } from "drizzle-orm/pg-core";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { DomainError } from "~/domain/errors";
import * as schema from "./schema";

export interface DbStats {
  /** Statements sent since the pool opened, BEGIN and COMMIT included (for /metrics and the benchmark's statements per request). */
  statements: number;
  /**
   * Called after each transaction this process committed (oneTripTransaction's and Drizzle's):
   * the events' announcer uses it to send the news of a change soon after its commit, never in it.
   */
  afterCommit?: () => void;
}

/**
 * The process's pool as Drizzle sees it, with the postgres.js client under it (`$client`, for the
 * hot paths' prepared, pipelined statements) and its statement counter (`$stats`).
 */
export type Db = PostgresJsDatabase<typeof schema> & {
  $client: postgres.Sql;
  $stats: DbStats;
  /** How long a hot path waits for a free connection before it refuses (DB_ACQUIRE_TIMEOUT_MS; undefined: no bound). */
  $acquireTimeoutMs?: number;
};
/** A pool or an open transaction: domain functions accept either. */
export type DbOrTx = Db | Parameters<Parameters<Db["transaction"]>[0]>[0];

export interface Database {
  /** The primary: every write, and every read that decides or shows a buyer's seats. */
  db: Db;
  sql: postgres.Sql;
  /** The connection that LISTENs for seat changes: DATABASE_DIRECT_URL's when set (a pooler cannot carry LISTEN). */
  listenSql: postgres.Sql;
  stats: DbStats;
  /**
   * A pure listing (the show list), read from a replica when there are any: drizzle's
   * `withReplicas` sends its selects to the replica and anything else to the primary. A replica
   * whose read fails for any reason but bad input is left alone for REPLICA_REST_MS, and the
   * listing is read from the primary. Never for seat states a
   * hold depends on: a replica may be behind.
   */
  listing<T>(read: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const REPLICA_REST_MS = 30_000;

export interface ConnectOptions {
  max?: number;
  connectTimeoutSeconds?: number;
  statementTimeoutMs?: number;
  /** The hot paths' bound on waiting for a free connection (see Db.$acquireTimeoutMs). */
  acquireTimeoutMs?: number;
  /** Read replicas for `listing` (DATABASE_REPLICA_URLS). */
  replicaUrls?: string[];
  /** For LISTEN when `url` is a pooler (DATABASE_DIRECT_URL). */
  directUrl?: string;
  /** "transaction": `url` is a transaction-mode pooler (DATABASE_POOLER). */
  pooler?: "none" | "transaction";
  /** Told when a replica fails and the listing is read from the primary (which replica: its place in the list). */
  onReplicaFailed?: (replica: number, error: unknown) => void;
}

/**
 * One pool per process: the server entry creates it and hands it to Remix through the
 * load context, so the app build and the entry never hold two copies.
 */
export function connectDatabase(url: string, options: ConnectOptions = {}): Database {
  const stats: DbStats = { statements: 0 };
  const behindPooler = options.pooler === "transaction";
  const open = (at: string, extra: { max: number; connectTimeoutSeconds: number }) =>
    postgres(at, {
      max: extra.max,
      onnotice: () => {},
      // A transaction-mode pooler hands each transaction to any server connection: a statement
      // prepared on one is unknown on the next, so statements go unnamed (parsed each time).
      prepare: !behindPooler,
      // Bounded waits: a database out of reach is answered 503 (db/unavailable.server.ts), never a hang.
      connect_timeout: extra.connectTimeoutSeconds,
      // Timestamps travel as ISO strings with their offset, so the process time zone never matters.
      // pgbouncer refuses a statement_timeout at connect: behind it, set it on the role (docs/several-instances.md).
      connection: {
        TimeZone: "UTC",
        ...(options.statementTimeoutMs && !behindPooler ? { statement_timeout: options.statementTimeoutMs } : {}),
      },
    });
  const wrap = (client: postgres.Sql): Db => {
    const db = drizzle(client, {
      schema,
      casing: "snake_case",
      logger: {
        logQuery: () => {
          stats.statements++;
        },
      },
    });
    // Drizzle's logger sees the statements inside a transaction, not its BEGIN and COMMIT.
    const transaction = db.transaction.bind(db);
    db.transaction = (async (...args: Parameters<typeof transaction>) => {
      stats.statements += 2;
      const result = await transaction(...args);
      stats.afterCommit?.();
      return result;
    }) as typeof transaction;
    return Object.assign(db, { $stats: stats, $acquireTimeoutMs: options.acquireTimeoutMs });
  };
  const connectTimeoutSeconds = options.connectTimeoutSeconds ?? 5;
  const sql = open(url, { max: options.max ?? 10, connectTimeoutSeconds });
  const db = wrap(sql);
  const listenSql = options.directUrl ? postgres(options.directUrl, { max: 1, onnotice: () => {} }) : sql;

  // A replica out of reach must not hold the show list up for long: a shorter connect timeout.
  const replicas = (options.replicaUrls ?? []).map((replicaUrl) => {
    const client = open(replicaUrl, {
      max: Math.max(2, Math.ceil((options.max ?? 10) / 2)),
      connectTimeoutSeconds: Math.min(2, connectTimeoutSeconds),
    });
    return { client, db: withReplicas(db, [wrap(client)]) as unknown as Db, restUntil: 0 };
  });

  async function listing<T>(read: (db: Db) => Promise<T>): Promise<T> {
    const now = Date.now();
    const ready = replicas.filter((r) => r.restUntil <= now);
    if (ready.length === 0) return read(db);
    const replica = ready[Math.floor(Math.random() * ready.length)];
    try {
      return await read(replica.db);
    } catch (error) {
      if (error instanceof DomainError) throw error; // bad input: the primary would say the same
      // Out of reach, or failing otherwise (a recovery conflict, a timeout): rested, and said once.
      replica.restUntil = now + REPLICA_REST_MS;
      options.onReplicaFailed?.(replicas.indexOf(replica), error);
      return read(db);
    }
  }

  return {
    db,
    sql,
    listenSql,
    stats,
    listing,
    close: async () => {
      await Promise.all([
        sql.end({ timeout: 5 }),
        ...(listenSql === sql ? [] : [listenSql.end({ timeout: 5 })]),
        ...replicas.map((r) => r.client.end({ timeout: 5 })),
      ]);
    },
  };
}
