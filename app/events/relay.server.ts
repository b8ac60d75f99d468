import { and, asc, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "~/db/client.server";
import { consumedEvents, eventDeliveries, outbox, webhookDeliveries } from "~/db/schema";
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

/** A consumer: idempotent by event id (handleOnce), given only the events it wants. */
export interface Consumer {
  name: string;
  wants(event: HoldfastEvent): boolean;
  /** Runs in the transaction that records the event as handled: its writes and that record commit together. */
  handle(tx: DbOrTx, event: HoldfastEvent): Promise<void>;
}

/** One relay at a time across instances: a transaction-scoped advisory lock (safe behind pgbouncer). */
export const RELAY_LOCK = 4_815_162_343;
export const RELAY_BATCH = 200;

const toEvent = (row: typeof outbox.$inferSelect): HoldfastEvent => ({
  id: row.eventId,
  name: row.name as EventName,
  at: row.at.toISOString(),
  version: row.version,
  showId: row.showId,
  payload: row.payload,
});

/**
 * One batch: takes the relay lock (or reports `busy`), reads the oldest unpublished rows in id
 * order, publishes them and marks them published, all in one transaction. If publishing fails or
 * the process dies before the commit, nothing is marked and the next batch publishes the same
 * rows again: at least once, in order; consumers absorb the repeats.
 */
export async function relayBatch(db: Db, transport: Transport, now: Date = new Date(), limit = RELAY_BATCH) {
  return db.transaction(async (tx) => {
    const [lock] = await tx.execute<{ got: boolean }>(sql`select pg_try_advisory_xact_lock(${RELAY_LOCK}) as got`);
    if (!lock.got) return { published: 0, busy: true };
    const rows = await tx.select().from(outbox).where(isNull(outbox.publishedAt)).orderBy(asc(outbox.id)).limit(limit);
    if (rows.length === 0) return { published: 0, busy: false };
    await transport.publish(
      tx,
      rows.map((row) => ({ outboxId: row.id, event: toEvent(row) })),
    );
    await tx
      .update(outbox)
      .set({ publishedAt: now })
      .where(
        inArray(
          outbox.id,
          rows.map((r) => r.id),
        ),
      );
    return { published: rows.length, busy: false };
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

/** Without a broker: each event becomes a delivery row per consumer that wants it, written in the relay's transaction. */
export function inProcessTransport(consumers: Consumer[], now: () => Date = () => new Date()): Transport {
  return {
    async publish(tx, batch) {
      const rows = batch.flatMap(({ outboxId, event }) =>
        consumers.filter((c) => c.wants(event)).map((c) => ({ consumer: c.name, eventId: event.id, outboxId, nextAt: now() })),
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
 * The in-process queue's worker: claims due deliveries (oldest event first, skipping rows another
 * instance has claimed), runs each consumer once per event, and marks it done, or counts the
 * failure and tries again later, or, at the last try, marks it dead.
 */
export async function deliverDue(
  db: Db,
  consumers: Consumer[],
  now: Date = new Date(),
  policy: DeliveryPolicy = DEFAULT_DELIVERY_POLICY,
  limit = 50,
): Promise<{ done: number; failed: number; dead: number }> {
  const byName = new Map(consumers.map((c) => [c.name, c]));
  const claimed = await db.transaction(async (tx) => {
    const due = await tx
      .select({ delivery: eventDeliveries, event: outbox })
      .from(eventDeliveries)
      .innerJoin(outbox, eq(outbox.eventId, eventDeliveries.eventId))
      .where(
        and(
          // Only these consumers' deliveries: another's are its own worker's to claim.
          inArray(
            eventDeliveries.consumer,
            consumers.map((c) => c.name),
          ),
          isNull(eventDeliveries.doneAt),
          isNull(eventDeliveries.deadAt),
          lte(eventDeliveries.nextAt, now),
        ),
      )
      .orderBy(asc(eventDeliveries.outboxId))
      .limit(limit)
      .for("update", { of: eventDeliveries, skipLocked: true });
    if (due.length > 0) {
      await tx
        .update(eventDeliveries)
        .set({ nextAt: new Date(now.getTime() + policy.leaseMs) })
        .where(
          sql`(${eventDeliveries.consumer}, ${eventDeliveries.eventId}) in (${sql.join(
            due.map((d) => sql`(${d.delivery.consumer}, ${d.delivery.eventId}::uuid)`),
            sql`, `,
          )})`,
        );
    }
    return due;
  });
  const result = { done: 0, failed: 0, dead: 0 };
  for (const { delivery, event } of claimed) {
    const where = and(eq(eventDeliveries.consumer, delivery.consumer), eq(eventDeliveries.eventId, delivery.eventId));
    const consumer = byName.get(delivery.consumer);
    try {
      if (!consumer) throw new Error(`no consumer named ${delivery.consumer} in this process`);
      await handleOnce(db, consumer, toEvent(event));
      await db
        .update(eventDeliveries)
        .set({ doneAt: now, attempts: delivery.attempts + 1, lastError: null })
        .where(where);
      result.done++;
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
        .where(where);
      if (dead) result.dead++;
      else result.failed++;
    }
  }
  return result;
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
