import { sql } from "drizzle-orm";
import type { Db, DbOrTx } from "~/db/client.server";
import { bookings, seats } from "~/db/schema";
import { retryTransient } from "./retry.server";
import { holdHasEnded, seatHoldHasEnded } from "./seat-state.server";

export interface SweepResult {
  seatsFreed: number;
  bookingsExpired: string[];
}

/**
 * Frees PENDING seats whose hold has ended and marks HELD bookings whose time is up EXPIRED, in
 * one set-based statement.
 *
 * Invariants: a seat re-held or paid for after its expiry is never freed (the expiry condition is
 * part of the UPDATE and re-checked on the newest row version); rows another transaction is
 * working on are skipped (SKIP LOCKED), so several processes can sweep at once and a sweep never
 * waits on a buyer. Holds do not need the sweeper: it only tidies up. Proven in
 * tests/integration/sweeper.test.ts.
 */
export async function sweepExpiredHolds(db: DbOrTx, now: Date = new Date(), batchSize = 10_000): Promise<SweepResult> {
  return retryTransient(() => sweepBatch(db, now, batchSize));
}

async function sweepBatch(db: DbOrTx, now: Date, batchSize: number): Promise<SweepResult> {
  const rows = await db.execute<{ seats_freed: number; expired: string[] | null }>(sql`
    with due_seats as (
      select id from ${seats}
      where ${seatHoldHasEnded(now)}
      order by expires_at
      limit ${batchSize}
      for update skip locked
    ), freed as (
      update ${seats} set status = 'AVAILABLE', holder_id = null, booking_id = null, expires_at = null, version = version + 1
      where id in (select id from due_seats) and ${seatHoldHasEnded(now)}
      returning id
    ), due_bookings as (
      select id from ${bookings}
      where ${holdHasEnded(now)}
      order by expires_at
      limit ${batchSize}
      for update skip locked
    ), expired as (
      update ${bookings} set status = 'EXPIRED', updated_at = ${now.toISOString()}::timestamptz
      where id in (select id from due_bookings) and ${holdHasEnded(now)}
      returning id, reference, show_id, expires_at
    ), audited as (
      -- Each expiry in the audit log, by the system, at the moment the hold ended.
      insert into audit_log (at, show_id, action, seat_ids, seat_labels, booking_id, booking_reference)
      select e.expires_at, e.show_id, 'expire', array_agg(s.id order by s.id), array_agg(s.label order by s.id), e.id, e.reference
      from expired e join booking_seats bs on bs.booking_id = e.id join seats s on s.id = bs.seat_id
      group by e.id, e.reference, e.show_id, e.expires_at
    )
    select (select count(*) from freed)::int as seats_freed,
           (select array_agg(reference) from expired) as expired`);
  return { seatsFreed: rows[0].seats_freed, bookingsExpired: rows[0].expired ?? [] };
}

/**
 * The advisory lock that makes one instance at a time the sweeper, whichever instances run the
 * job. Taken per batch, for the batch's transaction only (pg_try_advisory_xact_lock), so it is
 * safe behind pgbouncer in transaction mode and can never outlive a crashed instance.
 */
export const SWEEPER_LOCK = 0x486f6c64; // "Hold"

/**
 * One sweep as the job runs it: batch after batch until a batch comes back short, so a backlog
 * (after downtime, or a flash sale's worth of abandoned holds) is cleared in one run. Each batch
 * runs under SWEEPER_LOCK: when another instance holds it, this one stops (`busy`) and leaves
 * the work to that one. Several instances sweeping at once would be safe anyway (SKIP LOCKED);
 * the lock keeps them from competing for the same rows. Proven in sweeper.test.ts ("two
 * instances").
 */
export async function sweepAllExpiredHolds(
  db: Db,
  now: Date = new Date(),
  batchSize = 10_000,
): Promise<{ seatsFreed: number; bookingsExpired: number; references: string[]; busy: boolean }> {
  let seatsFreed = 0;
  let bookingsExpired = 0;
  const references: string[] = [];
  for (;;) {
    const batch = await retryTransient(() =>
      db.transaction(async (tx) => {
        const [{ got }] = await tx.execute<{ got: boolean }>(sql`select pg_try_advisory_xact_lock(${SWEEPER_LOCK}) as got`);
        return got ? sweepBatch(tx, now, batchSize) : null;
      }),
    );
    if (!batch) return { seatsFreed, bookingsExpired, references, busy: true };
    seatsFreed += batch.seatsFreed;
    bookingsExpired += batch.bookingsExpired.length;
    if (references.length < 100) references.push(...batch.bookingsExpired.slice(0, 100 - references.length));
    if (batch.seatsFreed < batchSize && batch.bookingsExpired.length < batchSize)
      return { seatsFreed, bookingsExpired, references, busy: false };
  }
}
