/**
 * A hold's whole cost, the request and the events it leaves behind: Holdfast answers a hold, then
 * its relay and consumers work off the hold's outbox row. These readings bracket a cell's load and
 * the drain after it: how many events it made, when nothing was left pending, and how many
 * statements PostgreSQL ran in the bench database meanwhile (pg_stat_statements).
 *
 * The bench's own readings carry MONITOR_TAG and are left out of the statement counts.
 */
import type postgres from "postgres";

const MONITOR_TAG = "/* holdfast-bench-monitor */";
const POLL_MS = 25;

export interface Mark {
  at: number;
  outboxId: number;
  /** Top-level statements so far in the bench database; null without pg_stat_statements. */
  statements: number | null;
}

export interface Drain {
  /** Outbox rows written since the mark. */
  events: number;
  drained: boolean;
  /** performance.now() when nothing was pending (or the wait gave up). */
  at: number;
  statements: number | null;
}

export interface EventMonitor {
  mark(): Promise<Mark>;
  /** Waits (at most `timeoutMs`) until no event is pending; false if some still are. */
  untilDrained(timeoutMs: number): Promise<boolean>;
  /** Waits (at most `timeoutMs`) until no event is pending, then reads what happened since `mark`. */
  drain(mark: Mark, timeoutMs?: number): Promise<Drain>;
  /** Top-level statements so far (null without pg_stat_statements). */
  statements(): Promise<number | null>;
}

export async function eventMonitor(sql: postgres.Sql, withStatements: boolean): Promise<EventMonitor> {
  const [{ seatNews }] = await sql<{ seatNews: boolean }[]>`select to_regclass('seat_news') is not null as "seatNews"`;
  const pendingSql = `${MONITOR_TAG} select
    (select count(*) from outbox where published_at is null)
    + (select count(*) from event_deliveries where done_at is null and dead_at is null)
    ${seatNews ? "+ (select count(*) from seat_news)" : ""} as pending`;
  // Statements inside functions and triggers (the outbox trigger's insert) are the server's own
  // work, not round trips: only top-level ones are counted, where the server can tell them apart.
  const [{ toplevel }] = withStatements
    ? await sql<{ toplevel: boolean }[]>`
        select exists (select from information_schema.columns where table_name = 'pg_stat_statements' and column_name = 'toplevel') as toplevel`
    : [{ toplevel: false }];
  const statementsSql = `${MONITOR_TAG} select coalesce(sum(calls), 0)::float8 as n from pg_stat_statements
    where dbid = (select oid from pg_database where datname = current_database()) and query not like '%holdfast-bench-monitor%'
    ${toplevel ? "and toplevel" : ""}`;

  const pending = async () => Number((await sql.unsafe<{ pending: string }[]>(pendingSql))[0].pending);
  const statements = async () => (withStatements ? (await sql.unsafe<{ n: number }[]>(statementsSql))[0].n : null);
  const outboxId = async () =>
    Number((await sql.unsafe<{ id: string }[]>(`${MONITOR_TAG} select coalesce(max(id), 0) as id from outbox`))[0].id);

  const untilDrained = async (timeoutMs: number) => {
    const giveUp = performance.now() + timeoutMs;
    for (;;) {
      if ((await pending()) === 0) return true;
      if (performance.now() >= giveUp) return false;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };

  return {
    statements,
    untilDrained,
    async mark() {
      const id = await outboxId();
      const count = await statements();
      return { at: performance.now(), outboxId: id, statements: count };
    },
    async drain(mark, timeoutMs = 60_000) {
      const drained = await untilDrained(timeoutMs);
      const at = performance.now();
      const count = await statements();
      const [{ n }] = await sql.unsafe<{ n: string }[]>(`${MONITOR_TAG} select count(*) as n from outbox where id > $1`, [mark.outboxId]);
      return { events: Number(n), drained, at, statements: count };
    },
  };
}
