import { fillPlaceholders, is, Placeholder, type SQL, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type postgres from "postgres";
import { DatabaseBusy } from "./unavailable.server";

export interface Step {
  text: string;
  params?: postgres.ParameterOrJSON<never>[];
}

/**
 * A transaction in one round trip. BEGIN, the steps and COMMIT are queued on one reserved
 * connection in the same tick, so postgres.js writes them together and PostgreSQL runs them in
 * order; each step is a prepared statement (parsed once per connection; unnamed, parsed each time,
 * when the pool is behind a transaction-mode pooler: `prepare: false`, client.server.ts). Under READ COMMITTED every
 * step sees what committed before it started, so a step that takes a lock is followed by steps
 * that read the locked state fresh. A step that fails aborts the transaction (the COMMIT then
 * rolls back) and its error is thrown: the changes are all or nothing. Used by the hot paths
 * (hold, pay, release, cancel), where Drizzle's transaction would cost a round trip per
 * statement plus BEGIN and COMMIT (docs/decisions/0009-one-round-trip-transactions.md).
 */
/**
 * A select-list item for a one-trip transaction's first step: the steps after it run on generic
 * plans (`plan_cache_mode`, for this transaction only). A hot path's deciding statement is a
 * large CTE whose custom plan PostgreSQL would otherwise make again at every call, because its
 * estimate of the generic plan is higher; planning it cost more than running it (1.5 ms of
 * PostgreSQL CPU per hold against 0.8 ms with generic plans, measured on one connection; ADR 0014).
 * Those statements read by primary keys and the indexes their WHERE names, whatever the values.
 */
export const GENERIC_PLANS = "set_config('plan_cache_mode', 'force_generic_plan', true)";

export interface OneTripOptions {
  /** How long to wait for a free connection (DB_ACQUIRE_TIMEOUT_MS): past it, DatabaseBusy and nothing is sent. */
  acquireTimeoutMs?: number;
  /**
   * Asked once a connection is in hand, just before the transaction is sent: false (the request
   * was answered already, or its client left) sends nothing and throws DatabaseBusy. After a true
   * the transaction is sent, and whoever asked is answered with its outcome.
   */
  claim?: () => boolean;
}

export async function oneTripTransaction(
  client: postgres.Sql,
  /** The steps, or a function that makes them once the claim is settled (a group's members may drop out at their claim). */
  steps: Step[] | (() => Step[]),
  stats?: { statements: number; afterCommit?: () => void },
  options: OneTripOptions = {},
): Promise<postgres.RowList<postgres.Row[]>[]> {
  const conn = await reserveWithin(client, options.acquireTimeoutMs);
  try {
    if (options.claim && !options.claim()) throw new DatabaseBusy("the request was answered before its change was sent");
    const queries = [
      conn.unsafe("begin"),
      ...(typeof steps === "function" ? steps() : steps).map((step) =>
        conn.unsafe(step.text, step.params ?? [], { prepare: client.options.prepare }),
      ),
      conn.unsafe("commit"),
    ];
    if (stats) stats.statements += queries.length;
    const settled = await Promise.allSettled(queries);
    // The first failure is the cause; later steps only report the aborted transaction.
    const failed = settled.find((s) => s.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    stats?.afterCommit?.();
    return settled.slice(1, -1).map((s) => (s as PromiseFulfilledResult<postgres.RowList<postgres.Row[]>>).value);
  } finally {
    conn.release();
  }
}

/**
 * A reserved connection, waited for at most `ms` (none: as long as it takes). One that comes free
 * after the wait is given back at once: a request refused for want of a connection did nothing.
 */
async function reserveWithin(client: postgres.Sql, ms: number | undefined): Promise<postgres.ReservedSql> {
  const reserving = client.reserve();
  if (!ms) return reserving;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), ms);
  });
  try {
    const first = await Promise.race([reserving, late]);
    if (first !== "late") return first;
  } finally {
    clearTimeout(timer);
  }
  void reserving.then((conn) => conn.release()).catch(() => {});
  throw new DatabaseBusy(`no database connection came free within ${ms} ms`);
}

/** One prepared statement on the pool (the fast conflict read). */
export function preparedQuery(client: postgres.Sql, step: Step, stats?: { statements: number }) {
  if (stats) stats.statements++;
  return client.unsafe(step.text, step.params ?? [], { prepare: client.options.prepare });
}

/**
 * A Drizzle `sql` fragment turned into SQL text once, at module load, with `sql.placeholder(name)`
 * for the values that change per call: statements composed from the schema's own columns and the
 * rules' SQL twins (seat-state.server.ts), without building them again on every request. A name
 * used several times is one parameter (`$n` once per name, in order of first use), so PostgreSQL
 * infers one type for it, as in a statement written by hand.
 */
export interface Compiled {
  text: string;
  params(values: Record<string, unknown>): postgres.ParameterOrJSON<never>[];
}

const dialect = new PgDialect({ casing: "snake_case" });

/**
 * A statement's values by name, for `compileOnce`: `const P = placeholders("show", "now")` gives
 * `P.show`, `P.now`, and `P.now` as a time is `at(P.now)`.
 */
export function placeholders<K extends string>(...names: K[]): Record<K, SQL> {
  return Object.fromEntries(names.map((name) => [name, sql`${sql.placeholder(name)}`])) as Record<K, SQL>;
}

/** A value as a timestamptz (the statements' clock: the caller's `now`, never the database's). */
export const at = (value: SQL): SQL => sql`${value}::timestamptz`;

export function compileOnce(fragment: SQL): Compiled {
  const { sql: raw, params } = dialect.sqlToQuery(fragment);
  const kept: unknown[] = [];
  const byName = new Map<string, number>();
  // Where each of Drizzle's parameters ($1, $2, …) goes: a placeholder's name keeps its first number.
  const numberOf = params.map((param) => {
    if (is(param, Placeholder)) {
      const known = byName.get(param.name);
      if (known !== undefined) return known;
      byName.set(param.name, kept.length + 1);
    }
    kept.push(param);
    return kept.length;
  });
  const text = raw.replace(/\$(\d+)\b/g, (_, n: string) => `$${numberOf[Number(n) - 1]}`);
  return { text, params: (values) => fillPlaceholders(kept, values) as postgres.ParameterOrJSON<never>[] };
}
