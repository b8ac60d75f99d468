import { and, eq, inArray, lte, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "~/db/client.server";
import { consumedEvents, eventDeliveries, outbox, webhookDeliveries, webhooks } from "~/db/schema";
import type { EventName, HoldfastEvent } from "./catalogue";

/**
 * Where the relay hands events: RabbitMQ (amqp.server.ts) or, without a broker, the
 * `event_deliveries` table that this process's consumers work through (inProcessTransport).
 * `publish` resolves only once every event is safe (the broker confirmed it, or the deliveries
 * are written in the relay's transaction); it throws otherwise, and the relay marks nothing.
 */
export interface Transport {
  publish(tx: DbOrTx, batch: Outgoing[]): Promise<void>;
}

/** An event on its way, with its outbox row's id (its place in the order). */
export interface Outgoing {
  outboxId: number;
  event: HoldfastEvent;
}

/**
 * A consumer: idempotent by event id (handleOnce). It subscribes to the event types it handles
 * and is given no other: no delivery row is written for it (in process) and its queue is bound to
 * those types only (RabbitMQ), so an event nobody handles costs nothing after the relay.
 */
export interface Consumer {
  name: string;
  events: readonly EventName[];
  /** A finer choice among those types, on the payload (e.g. only the system's expiries); default all. */
  accepts?(event: HoldfastEvent): boolean;
  /** Runs in the transaction that records the event as handled: its writes and that record commit together. */
  handle(tx: DbOrTx, event: HoldfastEvent): Promise<void>;
}

export const subscribes = (consumer: Consumer, event: HoldfastEvent) =>
  consumer.events.includes(event.name) && (consumer.accepts?.(event) ?? true);

/** One relay at a time across instances: a transaction-scoped advisory lock (safe behind pgbouncer). */
export const RELAY_LOCK = 4_815_162_343;
export const RELAY_BATCH = 500;

/** An outbox row's event columns as raw SQL gives them (the relay's and the claims' own statements). */
type RawEvent = {
  event_id: string;
  name: string;
  at: string;
  version: number;
  show_id: string | null;
  payload: Record<string, unknown>;
};

const eventOf = (r: RawEvent): HoldfastEvent => ({
  id: r.event_id,
  name: r.name as EventName,
  at: new Date(r.at).toISOString(),
  version: r.version,
  showId: r.show_id,
  payload: r.payload,
});

/** The relay's lock and the oldest unpublished rows, in one statement: one row of nulls when busy or empty. */
const TAKE = (limit: number) => sql`
  with turn as (select pg_try_advisory_xact_lock(${RELAY_LOCK}) as mine)
  select t.mine, o.id, o.event_id, o.name, o.at, o.version, o.show_id, o.payload
  from turn t left join lateral (
    select * from ${outbox} where ${outbox.publishedAt} is null order by ${outbox.id} limit ${limit}
  ) o on t.mine`;

/**
 * Marks the batch published and, in the same statement, writes a webhook delivery for each hook
 * of each event's show (webhooks.server.ts sends them): an event of a show without hooks costs no
 * row. The body is the event as JSON, as consumers receive it.
 */
const MARK = (ids: number[], now: Date) => sql`
  with marked as (
    update ${outbox} set published_at = ${now.toISOString()}::timestamptz
    where id = any(${`{${ids.join(",")}}`}::bigint[])
    returning event_id, name, at, version, show_id, payload
  )
  insert into ${webhookDeliveries} (webhook_id, event_id, event_name, body, next_at, created_at)
  select w.id, m.event_id, m.name,
    json_build_object('id', m.event_id, 'name', m.name,
      'at', to_char(m.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'version', m.version, 'showId', m.show_id, 'payload', m.payload)::text,
    ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
  from marked m join ${webhooks} w on w.show_id = m.show_id
  on conflict do nothing`;

/**
 * One batch: takes the relay lock (or reports `busy`), reads the oldest unpublished rows in id
 * order, publishes them and marks them published (fanning out webhook deliveries as it marks),
 * all in one transaction. If publishing fails or the process dies before the commit, nothing is
 * marked and the next batch publishes the same rows again: at least once, in order; consumers
 * absorb the repeats.
 */
export async function relayBatch(db: Db, transport: Transport, now: Date = new Date(), limit = RELAY_BATCH) {
  return db.transaction(async (tx) => {
    const taken = await tx.execute<RawEvent & { mine: boolean; id: string | null }>(TAKE(limit));
    if (!taken[0]?.mine) return { published: 0, busy: true };
    const batch = taken.filter((r) => r.id !== null).map((r) => ({ outboxId: Number(r.id), event: eventOf(r) }));
    if (batch.length === 0) return { published: 0, busy: false };
    await transport.publish(tx, batch);
    await tx.execute(
      MARK(
        batch.map((b) => b.outboxId),
        now,
      ),
    );
    return { published: batch.length, busy: false };
  });
}

/** Batches until the outbox is drained (or another instance holds the lock). */
export async function relayAll(db: Db, transport: Transport, now: Date = new Date(), limit = RELAY_BATCH) {
  let published = 0;
  for (;;) {
    const batch = await relayBatch(db, transport, now, limit);
    published += batch.published;
    if (batch.busy || batch.published < limit) return { published, busy: batch.busy };
  }
}

/**
 * Handles an event once per consumer: records (consumer, event id) and runs the handler in one
 * transaction. A repeat finds the record and does nothing; a handler that throws records nothing,
 * so the event is tried again.
 */
export async function handleOnce(db: Db, consumer: Consumer, event: HoldfastEvent): Promise<"handled" | "repeat"> {
  return db.transaction(async (tx) => {
    const fresh = await tx
      .insert(consumedEvents)
      .values({ consumer: consumer.name, eventId: event.id })
      .onConflictDoNothing()
      .returning({ eventId: consumedEvents.eventId });
    if (fresh.length === 0) return "repeat";
    await consumer.handle(tx, event);
    return "handled";
  });
}

/** Without a broker: each event becomes a delivery row per consumer subscribed to it, written in the relay's transaction. */
export function inProcessTransport(consumers: Consumer[], now: () => Date = () => new Date()): Transport {
  return {
    async publish(tx, batch) {
      const rows = batch.flatMap(({ outboxId, event }) =>
        consumers.filter((c) => subscribes(c, event)).map((c) => ({ consumer: c.name, eventId: event.id, outboxId, nextAt: now() })),
      );
      if (rows.length > 0) await tx.insert(eventDeliveries).values(rows).onConflictDoNothing();
    },
  };
}

export interface DeliveryPolicy {
  /** Tries before a delivery is dead (the dead-letter queue). */
  maxAttempts: number;
  /** Wait before try n+1: base × 2^(n-1), capped. */
  backoffMs(attempt: number): number;
  /** A claimed delivery is another instance's to retry after this long (its worker died). */
  leaseMs: number;
}

/** Eight tries over about two and a half hours (5 s, 20 s, 80 s, 5 min, 21 min, then hourly): a mail server's outage is ridden out. */
export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  maxAttempts: 8,
  backoffMs: (attempt) => Math.min(3_600_000, 5000 * 4 ** (attempt - 1)),
  leaseMs: 5 * 60_000,
};

/**
 * The in-process queue's worker: for each consumer, claims its due deliveries (oldest event
 * first, skipping rows another instance has claimed), runs the consumer once per event, then
 * marks the batch's successes done in one statement; a failure is counted and tried again later,
 * or, at the last try, marked dead.
 *
 * The claim reads event_deliveries_open_idx (consumer, outbox_id) in order and stops at `limit`:
 * its cost is the batch's, whatever the backlog (tests/integration/events.test.ts shows it with
 * EXPLAIN at 100,000 waiting deliveries).
 */
export async function deliverDue(
  db: Db,
  consumers: Consumer[],
  now: Date = new Date(),
  policy: DeliveryPolicy = DEFAULT_DELIVERY_POLICY,
  limit = 50,
): Promise<{ done: number; failed: number; dead: number }> {
  const result = { done: 0, failed: 0, dead: 0 };
  for (const consumer of consumers) {
    const claimed = await claimDeliveries(db, consumer.name, now, policy, limit);
    const done: string[] = [];
    for (const { delivery, event } of claimed) {
      try {
        await handleOnce(db, consumer, event);
        done.push(delivery.eventId);
      } catch (error) {
        const attempts = delivery.attempts + 1;
        const dead = attempts >= policy.maxAttempts;
        await db
          .update(eventDeliveries)
          .set({
            attempts,
            lastError: (error instanceof Error ? error.message : String(error)).slice(0, 500),
            nextAt: new Date(now.getTime() + policy.backoffMs(attempts)),
            deadAt: dead ? now : null,
          })
          .where(and(eq(eventDeliveries.consumer, consumer.name), eq(eventDeliveries.eventId, delivery.eventId)));
        if (dead) result.dead++;
        else result.failed++;
      }
    }
    if (done.length > 0) {
      await db
        .update(eventDeliveries)
        .set({ doneAt: now, attempts: sql`${eventDeliveries.attempts} + 1`, lastError: null })
        .where(and(eq(eventDeliveries.consumer, consumer.name), inArray(eventDeliveries.eventId, done)));
      result.done += done.length;
    }
  }
  return result;
}

/**
 * Claims one consumer's due deliveries with their events in one statement: the oldest first,
 * skipping rows another worker holds, leased until `leaseUntil` (then another worker's to retry).
 * It reads event_deliveries_open_idx in its order and stops at `limit`.
 */
export const claimDeliveriesQuery = (consumer: string, now: Date, leaseUntil: Date, limit: number) => sql`
  with claimed as (
    update ${eventDeliveries} d set next_at = ${leaseUntil.toISOString()}::timestamptz
    where (d.consumer, d.event_id) in (
      select consumer, event_id from ${eventDeliveries}
      where consumer = ${consumer} and done_at is null and dead_at is null and next_at <= ${now.toISOString()}::timestamptz
      order by consumer, outbox_id
      limit ${limit}
      for update skip locked
    )
    returning d.outbox_id, d.event_id, d.attempts
  )
  select c.outbox_id, c.event_id, c.attempts, o.name, o.at, o.version, o.show_id, o.payload
  from claimed c join ${outbox} o on o.id = c.outbox_id
  order by c.outbox_id`;

async function claimDeliveries(db: Db, consumer: string, now: Date, policy: DeliveryPolicy, limit: number) {
  const rows = await db.execute<RawEvent & { outbox_id: string; attempts: number }>(
    claimDeliveriesQuery(consumer, now, new Date(now.getTime() + policy.leaseMs), limit),
  );
  return rows.map((r) => ({ delivery: { eventId: r.event_id, attempts: r.attempts }, event: eventOf(r) }));
}

/** How long handled events are kept: published outbox rows, done deliveries, consumers' records (dead deliveries: DEAD_KEPT_DAYS). */
export const EVENTS_KEPT_DAYS = 7;
export const DEAD_KEPT_DAYS = 30;

/**
 * Deletes what no relay or consumer needs any more (the jobs' sweep): outbox rows published over
 * EVENTS_KEPT_DAYS ago, their done deliveries and consumers' records, and dead deliveries after
 * DEAD_KEPT_DAYS (left for an operator to read until then). Never an unpublished row.
 */
export async function pruneEvents(db: Db, now: Date = new Date()) {
  const kept = new Date(now.getTime() - EVENTS_KEPT_DAYS * 86_400_000);
  const deadKept = new Date(now.getTime() - DEAD_KEPT_DAYS * 86_400_000);
  const deliveries = await db
    .delete(eventDeliveries)
    .where(
      sql`(${eventDeliveries.doneAt} < ${kept.toISOString()}::timestamptz) or (${eventDeliveries.deadAt} < ${deadKept.toISOString()}::timestamptz)`,
    );
  const consumed = await db.delete(consumedEvents).where(lte(consumedEvents.at, kept));
  const published = await db.delete(outbox).where(
    and(
      lte(outbox.publishedAt, kept),
      // A dead delivery still points at its event: kept with it.
      sql`not exists (select 1 from ${eventDeliveries} d where d.event_id = ${outbox.eventId})`,
    ),
  );
  const hooks = await db
    .delete(webhookDeliveries)
    .where(
      sql`(${webhookDeliveries.deliveredAt} < ${kept.toISOString()}::timestamptz) or (${webhookDeliveries.deadAt} < ${deadKept.toISOString()}::timestamptz)`,
    );
  return { outbox: published.count, deliveries: deliveries.count, consumed: consumed.count, webhookDeliveries: hooks.count };
}
