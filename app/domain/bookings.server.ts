import { and, asc, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db, DbOrTx } from "~/db/client.server";
import { at, type Compiled, compileOnce, GENERIC_PLANS, oneTripTransaction, placeholders } from "~/db/one-trip.server";
import { rowMapper } from "~/db/rows.server";
import { auditLog, type Booking, bookingSeats, bookings, payments, type Show, seats, shows, users } from "~/db/schema";
import { Conflict, HoldExpired, IdempotencyMismatch, NotFound, PaymentDeclined } from "./errors";
import { normaliseCard, simulateCharge } from "./payments";
import { retryTransient, sqlStateOf } from "./retry.server";
import { confirmRequestSchema } from "./schemas";
import { hasHoldEnded } from "./seat-state";
import { holdHasEnded, holdIsLive, seatIsHeld } from "./seat-state.server";
import { parseOrThrow, requireId } from "./validation";

/** A booking as the hot paths' raw statements return it (`to_jsonb(bookings)`), in Drizzle's shape. */
export const bookingFromRow = rowMapper(bookings);

/** What a person sees: a HELD booking whose time is up is EXPIRED, whether or not the sweeper has run. */
export type EffectiveStatus = Booking["status"];
export function effectiveStatus(booking: Pick<Booking, "status" | "expiresAt">, now: Date): EffectiveStatus {
  return hasHoldEnded(booking, now) ? "EXPIRED" : booking.status;
}

export interface BookingView extends Booking {
  effectiveStatus: EffectiveStatus;
  /** The booking's show, whole: pages, the API and e-mails project it (domain/views.ts). */
  show: Show;
  seats: Array<{ id: number; label: string }>;
  /** When the booking's first seat's time comes (a clinic booking: its slot). */
  startsAt: Date;
}

/**
 * The values of a booking's statements, by name (compileOnce makes them $1, $2, …): the booking,
 * its owner (the caller) and `now`; a payment's idempotency `key`, the card's `last4` and the
 * simulated `charge`'s result; the `seconds` an extension adds.
 */
const P = placeholders("booking", "owner", "now", "key", "last4", "charge", "seconds");
const now = at(P.now);
/** The booking read by a deciding statement (`b`), which carries the bookings table's column names. */
const b = alias(bookings, "b");

/**
 * Payments, releases and cancels of one booking take turns: each is one round trip of BEGIN, this
 * lock on the owner's booking row, one deciding statement (which reads everything fresh after the
 * lock) and COMMIT (see oneTripTransaction). Someone else's booking is never locked, and answers
 * exactly like no booking at all.
 */
const LOCK_OWN_BOOKING =
  compileOnce(sql`select ${sql.raw(GENERIC_PLANS)}, pg_advisory_xact_lock_shared(hashtextextended('show:' || show_id::text, 0))
  from ${bookings} where id = ${P.booking} and user_id = ${P.owner} for no key update`);

/** SQLSTATE raised by holdfast_abort when a hold ended while it was being paid for (drizzle/0003). */
const HOLD_ENDED = "HF002";
const abort = (message: string) => sql`holdfast_abort(${sql.raw(`'${HOLD_ENDED}'`)}, ${sql.raw(`'${message}'`)})`;

/**
 * The head every deciding statement shares: the booking (owned by the caller), its show's zone,
 * its first seat's start, its seats (for the audit log) and its owner's name.
 */
const OWN_BOOKING = sql`b as (
  select * from ${bookings} where id = ${P.booking} and user_id = ${P.owner}
), zone as (
  select time_zone from ${shows} where id = (select show_id from b)
), booked_seats as (
  select s.id, s.label, s.starts_at from ${bookingSeats} bs join ${seats} s on s.id = bs.seat_id where bs.booking_id = ${P.booking}
), times as (
  select min(starts_at) as first_start from booked_seats
), owner as (
  select name, email from ${users} where id = ${P.owner}
)`;

/** An audit entry for the booking's owner's action, written only when the verdict is one of `verdicts`. */
const audit = (action: string, verdicts: string[]) => sql`insert into ${auditLog}
    (at, show_id, actor_id, actor_name, actor_email, action, seat_ids, seat_labels, booking_id, booking_reference, details)
  select ${now}, b.show_id, ${P.owner}, (select name from owner), (select email from owner), ${sql.raw(`'${action}'`)},
    (select array_agg(id order by id) from booked_seats), (select array_agg(label order by id) from booked_seats), b.id, b.reference,
    jsonb_build_object('amountCents', b.amount_cents, 'currency', b.currency)
  from b, verdict where verdict.v in (${sql.raw(verdicts.map((v) => `'${v}'`).join(", "))})`;

/**
 * Pays. The seats swap from PENDING to BOOKED only while still this hold's and live; if any is
 * not, holdfast_abort undoes the statement (HoldExpired): the payment completes whole or not at all.
 */
const PAY = compileOnce(sql`with ${OWN_BOOKING}, earlier as (
  select status, card_last4 from ${payments} where booking_id = ${P.booking} and idempotency_key = ${P.key}
), verdict as (
  select case
    when not exists (select 1 from b) then 'not_found'
    when (select card_last4 from earlier) <> ${P.last4} then 'key_reused'
    when exists (select 1 from earlier) then case when (select status from earlier) = 'DECLINED' then 'declined_before' else 'paid_before' end
    when (select status from b) in ('CONFIRMED', 'CANCELLED') then 'already_paid'
    when (select status from b) = 'RELEASED' then 'released'
    when (select first_start from times) <= ${now} then 'started'
    when (select status from b) = 'EXPIRED' or exists (select 1 from b where ${holdHasEnded(now, b)}) then 'expired'
    when ${P.charge} = 'DECLINED' then 'decline'
    else 'pay'
  end as v
), declined as (
  insert into ${payments} (booking_id, idempotency_key, status, amount_cents, currency, card_last4, created_at)
  select b.id, ${P.key}, 'DECLINED', b.amount_cents, b.currency, ${P.last4}, ${now} from b, verdict where verdict.v = 'decline'
), booked as (
  update ${seats} set status = 'BOOKED', expires_at = null, version = version + 1
  where booking_id = ${P.booking} and ${seatIsHeld(now)} and (select v from verdict) = 'pay'
  returning id
), paid as (
  insert into ${payments} (booking_id, idempotency_key, status, amount_cents, currency, card_last4, created_at)
  select b.id, ${P.key}, 'SUCCEEDED', b.amount_cents, b.currency, ${P.last4}, ${now} from b, verdict where verdict.v = 'pay'
), confirmed as (
  update ${bookings} set status = 'CONFIRMED', confirmed_at = ${now}, updated_at = ${now}, idempotency_key = ${P.key}
  where id = ${P.booking} and (select v from verdict) = 'pay'
  returning *
), audited_pay as (${audit("pay", ["pay"])}
), audited_decline as (${audit("payment_declined", ["decline"])}
)
select verdict.v, (select time_zone from zone) as time_zone, coalesce(to_jsonb(c), to_jsonb(b)) as booking,
  case when verdict.v = 'pay' and (select count(*) from booked) <> (select seat_count from b)
    then ${abort("the hold ended while it was being paid for")} end as aborted
from verdict left join confirmed c on true left join b on true`);

/** Releases. A hold whose time is up is marked EXPIRED rather than RELEASED; its seats are freed all the same. */
const RELEASE = compileOnce(sql`with ${OWN_BOOKING}, verdict as (
  select case
    when not exists (select 1 from b) then 'not_found'
    when (select status from b) in ('RELEASED', 'EXPIRED') then 'done_before'
    when (select status from b) <> 'HELD' then 'paid'
    else 'release'
  end as v
), freed as (
  update ${seats} set status = 'AVAILABLE', holder_id = null, booking_id = null, expires_at = null, version = version + 1
  where booking_id = ${P.booking} and status = 'PENDING' and (select v from verdict) = 'release'
  returning id
), released as (
  update ${bookings}
  set status = case when ${holdHasEnded(now)} then 'EXPIRED'::booking_status else 'RELEASED'::booking_status end,
      updated_at = ${now}
  where id = ${P.booking} and (select v from verdict) = 'release'
  returning *
), audited as (${audit("release", ["release"])}
)
select verdict.v, coalesce(to_jsonb(r), to_jsonb(b)) as booking, (select count(*) from freed)::int as freed
from verdict left join released r on true left join b on true`);

/** Cancels a paid booking before its first seat's time. Refund simulated, seats AVAILABLE. */
const CANCEL = compileOnce(sql`with ${OWN_BOOKING}, verdict as (
  select case
    when not exists (select 1 from b) then 'not_found'
    when (select status from b) = 'CANCELLED' then 'done_before'
    when (select status from b) <> 'CONFIRMED' then 'not_paid'
    when (select first_start from times) <= ${now} then 'started'
    else 'cancel'
  end as v
), freed as (
  update ${seats} set status = 'AVAILABLE', holder_id = null, booking_id = null, expires_at = null, version = version + 1
  where booking_id = ${P.booking} and (select v from verdict) = 'cancel'
  returning id
), refunded as (
  update ${payments} set status = 'REFUNDED', refunded_at = ${now}
  where booking_id = ${P.booking} and status = 'SUCCEEDED' and (select v from verdict) = 'cancel'
), cancelled as (
  update ${bookings} set status = 'CANCELLED', cancelled_at = ${now}, updated_at = ${now}
  where id = ${P.booking} and (select v from verdict) = 'cancel'
  returning *
), audited as (${audit("cancel", ["cancel"])}
)
select verdict.v, coalesce(to_jsonb(c), to_jsonb(b)) as booking
from verdict left join cancelled c on true left join b on true`);

/**
 * Extends a live hold, once. The booking's end and each of its seats' ends move together, in one
 * statement under the owner's lock, and only while every seat is still this hold's and live;
 * otherwise holdfast_abort undoes it (HoldExpired). So the sweeper, a payment and another buyer's
 * hold each see either the old end everywhere or the new one.
 */
const EXTEND = compileOnce(sql`with ${OWN_BOOKING}, verdict as (
  select case
    when not exists (select 1 from b) then 'not_found'
    when not exists (select 1 from b where ${holdIsLive(now, b)}) then 'not_live'
    when (select extended_at from b) is not null then 'extended_before'
    when (select first_start from times) <= ${now} then 'started'
    else 'extend'
  end as v
), moved as (
  update ${seats} set expires_at = (select expires_at from b) + make_interval(secs => ${P.seconds}::int), version = version + 1
  where booking_id = ${P.booking} and ${seatIsHeld(now)} and (select v from verdict) = 'extend'
  returning id
), extended as (
  update ${bookings} set expires_at = expires_at + make_interval(secs => ${P.seconds}::int), extended_at = ${now}, updated_at = ${now}
  where id = ${P.booking} and (select v from verdict) = 'extend'
  returning *
), audited as (${audit("extend", ["extend"])}
)
select verdict.v, (select time_zone from zone) as time_zone, coalesce(to_jsonb(e), to_jsonb(b)) as booking,
  case when verdict.v = 'extend' and (select count(*) from moved) <> (select seat_count from b)
    then ${abort("the hold ended while it was being extended")} end as aborted
from verdict left join extended e on true left join b on true`);

type Decision = { v: string; booking: Record<string, unknown> | null; time_zone?: string | null };

/** One booking action in one round trip: BEGIN, the owner's row lock, the deciding statement, COMMIT. */
async function decide(db: Db, bookingId: string, userId: string, statement: Compiled, values: Record<string, unknown>): Promise<Decision> {
  const id = requireId(bookingId, "booking");
  const [, rows] = await oneTripTransaction(
    db.$client,
    [
      { text: LOCK_OWN_BOOKING.text, params: LOCK_OWN_BOOKING.params({ booking: id, owner: userId }) },
      { text: statement.text, params: statement.params({ booking: id, owner: userId, ...values }) },
    ],
    db.$stats,
  );
  const decision = rows[0] as unknown as Decision;
  if (decision.v === "not_found") throw new NotFound("There is no such booking");
  return decision;
}

export type ConfirmOutcome = { booking: Booking; charged: boolean };

/**
 * Pays for a hold. Invariants: only the holder pays; a hold is paid at most once (one charge per
 * booking, kept by a unique index); the same idempotency key always gives the same answer; a hold
 * that has ended fails with HoldExpired and nothing changes; a payment racing the sweeper either
 * completes (every seat BOOKED) or fails with HoldExpired — never half. A declined card leaves
 * the hold as it is, and is recorded so that the same key answers the same; the same key with
 * another card (its last four digits differ) is IdempotencyMismatch. Proven in
 * tests/integration/bookings.test.ts and sweeper.test.ts.
 */
export async function confirmBooking(
  db: Db,
  input: { userId: string; bookingId: string; idempotencyKey: unknown; card: unknown },
  now: Date = new Date(),
): Promise<ConfirmOutcome> {
  const { idempotencyKey, card } = parseOrThrow(confirmRequestSchema, { idempotencyKey: input.idempotencyKey, card: input.card });
  const params = { key: idempotencyKey, last4: normaliseCard(card).slice(-4), charge: simulateCharge(card), now: now.toISOString() };
  let decision: Decision;
  try {
    decision = await retryTransient(() => decide(db, input.bookingId, input.userId, PAY, params));
  } catch (error) {
    if (sqlStateOf(error) !== HOLD_ENDED) throw error;
    // The seats were taken back while the payer waited: nothing was charged or changed.
    const booking = await getBookingForUser(db, input.userId, input.bookingId, now);
    throw new HoldExpired(booking.expiresAt, booking.show.timeZone);
  }
  const booking = bookingFromRow(decision.booking as Record<string, unknown>);
  switch (decision.v) {
    case "pay":
      return { booking, charged: true };
    case "paid_before":
      return { booking, charged: false };
    case "decline":
    case "declined_before":
      throw new PaymentDeclined();
    case "key_reused":
      throw new IdempotencyMismatch();
    case "already_paid":
      throw new Conflict("This booking is already paid for");
    case "released":
      throw new Conflict("This hold was released; pick your seats again");
    case "started":
      throw new Conflict("The show has started; this hold can no longer be paid for");
    default:
      throw new HoldExpired(booking.expiresAt, decision.time_zone ?? undefined);
  }
}

/**
 * The holder gives a hold back: RELEASED, its seats AVAILABLE with versions + 1. Releasing twice
 * is harmless. A hold that already ended is marked EXPIRED instead (its seats are freed all the same).
 */
export async function releaseHold(db: Db, input: { userId: string; bookingId: string }, now: Date = new Date()): Promise<Booking> {
  const decision = await retryTransient(() => decide(db, input.bookingId, input.userId, RELEASE, { now: now.toISOString() }));
  if (decision.v === "paid") throw new Conflict("This booking is paid for; cancel it instead");
  return bookingFromRow(decision.booking as Record<string, unknown>);
}

/**
 * The owner ends a booking, whatever it is now (the API's DELETE): a hold is released, a paid
 * booking is cancelled and refunded. Both decide under the booking's lock, so a hold paid for
 * between the two is cancelled, never left half-ended. Ending twice is harmless.
 */
export async function endBooking(db: Db, input: { userId: string; bookingId: string }, now: Date = new Date()): Promise<Booking> {
  const decision = await retryTransient(() => decide(db, input.bookingId, input.userId, RELEASE, { now: now.toISOString() }));
  if (decision.v === "paid") return cancelBooking(db, input, now);
  return bookingFromRow(decision.booking as Record<string, unknown>);
}

/**
 * The holder makes a live hold `seconds` longer, once per hold. Invariants: only the holder
 * extends; a hold is extended at most once; the booking and its seats end at the same moment
 * before and after; a hold that has ended (or ends meanwhile) is not brought back: HoldExpired,
 * and nothing changes (tests/integration/holds.test.ts, "extending a hold").
 */
export async function extendHold(
  db: Db,
  input: { userId: string; bookingId: string },
  seconds: number,
  now: Date = new Date(),
): Promise<Booking> {
  if (seconds <= 0) throw new Conflict("Holds cannot be extended here");
  let decision: Decision;
  try {
    decision = await retryTransient(() =>
      decide(db, input.bookingId, input.userId, EXTEND, { seconds: Math.floor(seconds), now: now.toISOString() }),
    );
  } catch (error) {
    if (sqlStateOf(error) !== HOLD_ENDED) throw error;
    const booking = await getBookingForUser(db, input.userId, input.bookingId, now);
    throw new HoldExpired(booking.expiresAt, booking.show.timeZone);
  }
  const booking = bookingFromRow(decision.booking as Record<string, unknown>);
  if (decision.v === "not_live") {
    if (booking.status === "HELD" || booking.status === "EXPIRED")
      throw new HoldExpired(booking.expiresAt, decision.time_zone ?? undefined);
    throw new Conflict("Only a hold that is still live can be extended");
  }
  if (decision.v === "extended_before") throw new Conflict("This hold was extended once already; pay before it ends");
  if (decision.v === "started") throw new Conflict("This show has started");
  return booking;
}

/** The owner cancels a paid booking before its first seat's time: CANCELLED, refund simulated, seats AVAILABLE. */
export async function cancelBooking(db: Db, input: { userId: string; bookingId: string }, now: Date = new Date()): Promise<Booking> {
  const decision = await retryTransient(() => decide(db, input.bookingId, input.userId, CANCEL, { now: now.toISOString() }));
  if (decision.v === "not_paid") throw new Conflict("Only a paid booking can be cancelled; release a hold instead");
  if (decision.v === "started") throw new Conflict("The show has started; this booking can no longer be cancelled");
  return bookingFromRow(decision.booking as Record<string, unknown>);
}

/**
 * Who ended a booking that is over: its buyer, the venue (an admin), or the system (its time ran
 * out). Read from the audit trail, for the words on the buyer's page: "The venue released your hold".
 */
export async function whoEnded(db: DbOrTx, booking: Pick<Booking, "id" | "userId">): Promise<"buyer" | "venue" | "system"> {
  const [last] = await db
    .select({ actorId: auditLog.actorId })
    .from(auditLog)
    .where(and(eq(auditLog.bookingId, booking.id), inArray(auditLog.action, ["release", "admin_release", "cancel", "expire"])))
    .orderBy(desc(auditLog.id))
    .limit(1);
  if (!last || last.actorId === null) return "system";
  return last.actorId === booking.userId ? "buyer" : "venue";
}

type BookedSeats = { seats: Array<{ id: number; label: string }>; startsAt: Date };

async function seatsOfBookings(db: DbOrTx, bookingIds: string[]) {
  const byBooking = new Map<string, BookedSeats>();
  if (bookingIds.length === 0) return byBooking;
  const rows = await db
    .select({ bookingId: bookingSeats.bookingId, id: seats.id, label: seats.label, startsAt: seats.startsAt })
    .from(bookingSeats)
    .innerJoin(seats, eq(seats.id, bookingSeats.seatId))
    .where(inArray(bookingSeats.bookingId, bookingIds))
    .orderBy(asc(seats.id));
  for (const r of rows) {
    const entry = byBooking.get(r.bookingId) ?? { seats: [], startsAt: r.startsAt };
    entry.seats.push({ id: r.id, label: r.label });
    if (r.startsAt < entry.startsAt) entry.startsAt = r.startsAt;
    byBooking.set(r.bookingId, entry);
  }
  return byBooking;
}

function viewOf(booking: Booking, show: BookingView["show"], booked: BookedSeats | undefined, now: Date): BookingView {
  return {
    ...booking,
    effectiveStatus: effectiveStatus(booking, now),
    show,
    seats: booked?.seats ?? [],
    startsAt: booked?.startsAt ?? show.startsAt,
  };
}

/** One of the user's bookings; anybody else's is NotFound. */
export async function getBookingForUser(db: DbOrTx, userId: string, bookingId: string, now: Date = new Date()): Promise<BookingView> {
  const id = requireId(bookingId, "booking");
  const [row] = await db
    .select({ booking: bookings, show: shows })
    .from(bookings)
    .innerJoin(shows, eq(shows.id, bookings.showId))
    .where(and(eq(bookings.id, id), eq(bookings.userId, userId)));
  if (!row) throw new NotFound("There is no such booking");
  const booked = await seatsOfBookings(db, [row.booking.id]);
  return viewOf(row.booking, row.show, booked.get(row.booking.id), now);
}

/**
 * The user's live holds (HELD and not yet ended), the one ending first first: the banner every
 * page shows while a hold is live. Two small queries, on an index of the user's bookings.
 */
export async function listLiveHolds(db: DbOrTx, userId: string, now: Date = new Date()): Promise<BookingView[]> {
  const live = and(eq(bookings.userId, userId), holdIsLive(now));
  return bookingViews(db, live as SQL, asc(bookings.expiresAt), 20, now);
}

/**
 * My bookings in the three groups a buyer looks for, each sorted by the time it is about:
 * - live holds (still to pay), the one ending first first;
 * - tickets for what is still to come, the soonest first;
 * - everything else (past, cancelled, released, expired), the latest first.
 * Every booking is in exactly one group (tests/unit/booking-groups.test.ts).
 */
export function groupBookings<B extends Pick<BookingView, "effectiveStatus" | "startsAt" | "expiresAt">>(list: B[], now: Date) {
  const live: B[] = [];
  const upcoming: B[] = [];
  const done: B[] = [];
  for (const b of list) {
    const started = b.startsAt.getTime() <= now.getTime();
    if (b.effectiveStatus === "HELD" && !started) live.push(b);
    else if (b.effectiveStatus === "CONFIRMED" && !started) upcoming.push(b);
    else done.push(b);
  }
  live.sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime());
  upcoming.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  done.sort((a, b) => b.startsAt.getTime() - a.startsAt.getTime());
  return { live, upcoming, done };
}

/** The user's bookings, newest first. */
export async function listBookingsForUser(db: DbOrTx, userId: string, now: Date = new Date()): Promise<BookingView[]> {
  return bookingViews(db, eq(bookings.userId, userId), desc(bookings.createdAt), 500, now);
}

/** Bookings with their show and seats, as people see them: one query for the bookings, one for their seats. */
async function bookingViews(db: DbOrTx, where: SQL, order: SQL, limit: number, now: Date): Promise<BookingView[]> {
  const rows = await db
    .select({ booking: bookings, show: shows })
    .from(bookings)
    .innerJoin(shows, eq(shows.id, bookings.showId))
    .where(where)
    .orderBy(order)
    .limit(limit);
  const booked = await seatsOfBookings(
    db,
    rows.map((r) => r.booking.id),
  );
  return rows.map((r) => viewOf(r.booking, r.show, booked.get(r.booking.id), now));
}
