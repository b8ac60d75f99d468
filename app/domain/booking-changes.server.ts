/**
 * What the venue does to one paid booking, when a buyer calls: cancel and refund some or all of
 * its seats, move it to other free seats of the same show, send its ticket again. Each is one
 * transaction, audited (so the buyer is e-mailed: booking.* events), and idempotent by a request
 * key (the form's hidden key, the API's Idempotency-Key): the same key answers the same result and
 * changes nothing more.
 *
 * Invariants (tests/integration/booking-changes.test.ts, and the model in model.test.ts):
 * - a booking's amount is always the sum of its seats' prices; what a cancel refunds is exactly
 *   what the cancelled seats cost when they were held (booking_seats.price_cents);
 * - a move takes its new seats by compare-and-swap on their versions, as a hold does: a seat held
 *   or sold meanwhile fails the move whole, and no seat is ever in two live bookings;
 * - nothing is done to a booking that is not paid, or to a seat whose time has come or that was
 *   checked in at the door;
 * - a booking's changes take the show's lock shared and the booking's row, so they never
 *   interleave with the buyer's own payment or cancel, or with a reset or cancellation of the show.
 */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "~/db/client.server";
import { auditLog, type Booking, bookingChanges, bookingSeats, bookings, checkIns, payments, seats } from "~/db/schema";
import { Conflict, listLabels, NotFound, SeatsUnavailable, ValidationFailed } from "./errors";
import { retryTransient } from "./retry.server";
import { bookingCancelSchema, bookingMoveSchema, bookingResendSchema } from "./schemas";
import { seatIsFree } from "./seat-state.server";
import { type Actor, assertAdmin } from "./show-admin.server";
import { parseOrThrow, requireId } from "./validation";
import { counted, plural } from "./words";

export type BookingChangeKind = (typeof bookingChanges.$inferSelect)["kind"];

export interface ChangeOutcome {
  kind: BookingChangeKind;
  booking: Booking;
  /** What was refunded (a cancel), in the booking's currency. */
  refundCents: number;
  /** The seats cancelled, or moved from. */
  seatLabels: string[];
  /** A move's new seats. */
  toSeatLabels: string[];
  /** True when this key was seen before: nothing changed this time. */
  replayed: boolean;
}

interface BookedSeat {
  id: number;
  label: string;
  startsAt: Date;
  priceCents: number;
  checkedIn: boolean;
}

/** The booking, locked after its show's shared lock (the order every booking action takes them in). */
async function lockBooking(tx: DbOrTx, bookingId: string): Promise<Booking> {
  const [found] = await tx.select({ showId: bookings.showId }).from(bookings).where(eq(bookings.id, bookingId));
  if (!found) throw new NotFound("There is no such booking");
  await tx.execute(sql`select pg_advisory_xact_lock_shared(hashtextextended('show:' || ${found.showId}::text, 0))`);
  const [booking] = await tx.select().from(bookings).where(eq(bookings.id, bookingId)).for("no key update");
  return booking;
}

async function seatsOf(tx: DbOrTx, bookingId: string): Promise<BookedSeat[]> {
  return tx
    .select({
      id: seats.id,
      label: seats.label,
      startsAt: seats.startsAt,
      priceCents: bookingSeats.priceCents,
      checkedIn: sql<boolean>`exists (select 1 from ${checkIns} c where c.booking_id = ${bookingSeats.bookingId} and c.seat_id = ${seats.id})`,
    })
    .from(bookingSeats)
    .innerJoin(seats, eq(seats.id, bookingSeats.seatId))
    .where(eq(bookingSeats.bookingId, bookingId))
    .orderBy(asc(seats.id));
}

/** The answer a key was given before, if it was. */
async function earlier(tx: DbOrTx, bookingId: string, key: string, kind: BookingChangeKind): Promise<ChangeOutcome | null> {
  const [row] = await tx
    .select()
    .from(bookingChanges)
    .where(and(eq(bookingChanges.bookingId, bookingId), eq(bookingChanges.requestKey, key)));
  if (!row) return null;
  if (row.kind !== kind) throw new Conflict("This request key was already used for another change of this booking");
  const [booking] = await tx.select().from(bookings).where(eq(bookings.id, bookingId));
  return { kind, booking, refundCents: row.refundCents, seatLabels: row.seatLabels, toSeatLabels: row.toSeatLabels, replayed: true };
}

/** Seats by id among the booking's own, or ValidationFailed naming what is not the booking's. */
function pick(booked: BookedSeat[], ids: number[]): BookedSeat[] {
  const byId = new Map(booked.map((s) => [s.id, s]));
  const picked = [...new Set(ids)].map((id) => byId.get(id));
  if (picked.some((s) => !s)) throw new ValidationFailed({ seats: "Pick seats of this booking" });
  return picked as BookedSeat[];
}

function refuseStartedOrIn(picked: BookedSeat[], now: Date) {
  const started = picked.filter((s) => s.startsAt <= now).map((s) => s.label);
  if (started.length) throw new Conflict(`${listLabels(started)}: the time has come, so nothing can change any more`);
  const inside = picked.filter((s) => s.checkedIn).map((s) => s.label);
  if (inside.length) throw new Conflict(`${listLabels(inside)} ${plural(inside.length, "was", "were")} checked in at the door`);
}

function requirePaid(booking: Booking) {
  if (booking.status === "CANCELLED") throw new Conflict("This booking is cancelled already");
  if (booking.status !== "CONFIRMED") throw new Conflict("Only a paid booking can be changed here; release a hold from the show's page");
}

/**
 * One change of one booking: the admin checked, the request parsed, then in one transaction
 * (tried again on a transient failure) the booking locked, a repeat of the same request key
 * answered as before, a booking that is not paid refused, and `work` done.
 */
async function changeBooking<T extends { bookingId: string; requestKey: string }>(
  db: Db,
  actor: Actor,
  parsed: () => T,
  kind: BookingChangeKind,
  work: (tx: DbOrTx, booking: Booking, data: T) => Promise<ChangeOutcome>,
): Promise<ChangeOutcome> {
  assertAdmin(actor);
  const data = parsed();
  const bookingId = requireId(data.bookingId, "booking");
  return retryTransient(() =>
    db.transaction(async (tx) => {
      const booking = await lockBooking(tx, bookingId);
      const again = await earlier(tx, bookingId, data.requestKey, kind);
      if (again) return again;
      requirePaid(booking);
      return work(tx, booking, data);
    }),
  );
}

/**
 * The change written down twice, in its transaction: its row (what a repeat of its key answers)
 * and its audit entry (the trail, and the booking.* event the buyer is e-mailed from).
 */
async function record(
  tx: DbOrTx,
  booking: Booking,
  actor: Actor,
  now: Date,
  change: {
    requestKey: string;
    kind: BookingChangeKind;
    seatLabels?: string[];
    toSeatLabels?: string[];
    refundCents?: number;
    reason?: string;
  },
  audit: { action: string; seatIds: number[]; seatLabels: string[]; details?: Record<string, unknown> },
): Promise<void> {
  const [row] = await tx
    .insert(bookingChanges)
    .values({ ...change, reason: change.reason || null, bookingId: booking.id, at: now, actorId: actor.id, actorName: actor.name })
    .returning({ id: bookingChanges.id });
  await tx.insert(auditLog).values({
    at: now,
    showId: booking.showId,
    actorId: actor.id,
    actorName: actor.name,
    actorEmail: actor.email,
    ...audit,
    bookingId: booking.id,
    bookingReference: booking.reference,
    details: { ...audit.details, changeId: row.id, reason: change.reason || undefined },
  });
}

/** A booking's seats made free again: AVAILABLE, no holder, their versions bumped. */
const FREED = { status: "AVAILABLE", holderId: null, bookingId: null, expiresAt: null, version: sql`${seats.version} + 1` } as const;

/**
 * Cancels and refunds some of a paid booking's seats, or all of them (then the booking is
 * CANCELLED and its payment REFUNDED, as the buyer's own cancel would leave it). The seats go
 * back on sale.
 */
export function cancelBookingSeats(db: Db, actor: Actor, input: unknown, now: Date = new Date()): Promise<ChangeOutcome> {
  return changeBooking(
    db,
    actor,
    () => parseOrThrow(bookingCancelSchema, input),
    "CANCEL_SEATS",
    async (tx, booking, data) => {
      const booked = await seatsOf(tx, booking.id);
      const picked = pick(booked, data.seatIds);
      refuseStartedOrIn(picked, now);
      const ids = picked.map((s) => s.id);
      const labels = picked.map((s) => s.label);
      const refundCents = picked.reduce((sum, s) => sum + s.priceCents, 0);
      const whole = picked.length === booked.length;
      const freed = await tx
        .update(seats)
        .set(FREED)
        .where(and(inArray(seats.id, ids), eq(seats.bookingId, booking.id), eq(seats.status, "BOOKED")))
        .returning({ id: seats.id });
      if (freed.length !== ids.length) throw new Conflict("The booking's seats changed meanwhile; look again");
      let updated: Booking;
      if (whole) {
        [updated] = await tx
          .update(bookings)
          .set({ status: "CANCELLED", cancelledAt: now, updatedAt: now })
          .where(eq(bookings.id, booking.id))
          .returning();
        await tx
          .update(payments)
          .set({ status: "REFUNDED", refundedAt: now })
          .where(and(eq(payments.bookingId, booking.id), eq(payments.status, "SUCCEEDED")));
      } else {
        await tx.delete(bookingSeats).where(and(eq(bookingSeats.bookingId, booking.id), inArray(bookingSeats.seatId, ids)));
        [updated] = await tx
          .update(bookings)
          .set({
            seatCount: sql`${bookings.seatCount} - ${ids.length}`,
            amountCents: sql`${bookings.amountCents} - ${refundCents}`,
            updatedAt: now,
          })
          .where(eq(bookings.id, booking.id))
          .returning();
      }
      await record(
        tx,
        booking,
        actor,
        now,
        { requestKey: data.requestKey, kind: "CANCEL_SEATS", seatLabels: labels, refundCents, reason: data.reason },
        {
          action: whole ? "cancel" : "cancel_seats",
          seatIds: ids,
          seatLabels: labels,
          details: { refundCents, currency: booking.currency },
        },
      );
      return { kind: "CANCEL_SEATS", booking: updated, refundCents, seatLabels: labels, toSeatLabels: [], replayed: false };
    },
  );
}

/**
 * Moves seats of a paid booking to other free seats of the same show, pair by pair (`seatIds[i]`
 * to `toSeatIds[i]`). The booking keeps what it paid: each new seat carries its old seat's price.
 * The new seats are taken by compare-and-swap on the versions read, as a hold takes them; one
 * held or sold meanwhile fails the whole move (SeatsUnavailable, naming it) and nothing changes.
 */
export function moveBookingSeats(db: Db, actor: Actor, input: unknown, now: Date = new Date()): Promise<ChangeOutcome> {
  const parsed = () => {
    const data = parseOrThrow(bookingMoveSchema, input);
    const asked = data.toSeatIds ?? data.toSeatLabels ?? [];
    if (new Set(data.seatIds).size !== asked.length) throw new ValidationFailed({ toSeatIds: "Pick as many new seats as seats to move" });
    return data;
  };
  return changeBooking(db, actor, parsed, "MOVE", async (tx, booking, data) => {
    const bookingId = booking.id;
    const booked = await seatsOf(tx, bookingId);
    const from = pick(booked, data.seatIds);
    refuseStartedOrIn(from, now);
    const wanted = data.toSeatIds ? [...new Set(data.toSeatIds)] : await seatIdsOfLabels(tx, booking.showId, data.toSeatLabels ?? []);
    if (wanted.length !== from.length) throw new ValidationFailed({ toSeatIds: "Pick each new seat once" });
    const targets = await tx
      .select({
        id: seats.id,
        label: seats.label,
        version: seats.version,
        startsAt: seats.startsAt,
        free: sql<boolean>`${seatIsFree(now)}`,
      })
      .from(seats)
      .where(and(eq(seats.showId, booking.showId), inArray(seats.id, wanted)));
    if (targets.length !== wanted.length) throw new ValidationFailed({ toSeatIds: "Pick new seats of this booking's show" });
    const byId = new Map(targets.map((s) => [s.id, s]));
    const to = wanted.map((id) => byId.get(id) as (typeof targets)[number]);
    const taken = to.filter((s) => !s.free).map((s) => s.label);
    if (taken.length) throw new SeatsUnavailable(taken);
    const started = to.filter((s) => s.startsAt <= now).map((s) => s.label);
    if (started.length) throw new Conflict(`${listLabels(started)}: the time has come, so nothing can be moved there`);
    // Compare-and-swap, seat by seat in id order: each new seat only if still the version read and free.
    let swapped = 0;
    for (const seat of [...to].sort((a, b) => a.id - b.id)) {
      const rows = await tx
        .update(seats)
        .set({ status: "BOOKED", holderId: booking.userId, bookingId, expiresAt: null, version: sql`${seats.version} + 1` })
        .where(and(eq(seats.id, seat.id), eq(seats.version, seat.version), seatIsFree(now)))
        .returning({ id: seats.id });
      swapped += rows.length;
    }
    if (swapped !== to.length) {
      const lost = await tx
        .select({ label: seats.label })
        .from(seats)
        .where(and(inArray(seats.id, wanted), sql`${seats.bookingId} is distinct from ${bookingId}`));
      throw new SeatsUnavailable(lost.map((s) => s.label));
    }
    const fromIds = from.map((s) => s.id);
    await tx
      .update(seats)
      .set(FREED)
      .where(and(inArray(seats.id, fromIds), eq(seats.bookingId, bookingId)));
    for (const [i, old] of from.entries()) {
      await tx
        .update(bookingSeats)
        .set({ seatId: to[i].id })
        .where(and(eq(bookingSeats.bookingId, bookingId), eq(bookingSeats.seatId, old.id)));
    }
    const labels = from.map((s) => s.label);
    const toLabels = to.map((s) => s.label);
    await record(
      tx,
      booking,
      actor,
      now,
      { requestKey: data.requestKey, kind: "MOVE", seatLabels: labels, toSeatLabels: toLabels, reason: data.reason },
      // Both the old seats and the new: each seat's history shows the move.
      {
        action: "move_seats",
        seatIds: [...fromIds, ...to.map((s) => s.id)],
        seatLabels: [...labels, ...toLabels],
        details: { from: labels, to: toLabels },
      },
    );
    const [updated] = await tx.update(bookings).set({ updatedAt: now }).where(eq(bookings.id, bookingId)).returning();
    return { kind: "MOVE", booking: updated, refundCents: 0, seatLabels: labels, toSeatLabels: toLabels, replayed: false };
  });
}

/** The ids of the show's seats with these labels (any case), in the labels' order; ValidationFailed naming any the show has not. */
async function seatIdsOfLabels(tx: DbOrTx, showId: string, labels: string[]): Promise<number[]> {
  const upper = [...new Set(labels.map((l) => l.toUpperCase()))];
  const rows = await tx
    .select({ id: seats.id, label: seats.label })
    .from(seats)
    .where(and(eq(seats.showId, showId), inArray(sql`upper(${seats.label})`, upper)));
  const byLabel = new Map(rows.map((r) => [r.label.toUpperCase(), r.id]));
  const unknown = upper.filter((l) => !byLabel.has(l));
  if (unknown.length) throw new ValidationFailed({ toSeatIds: `This show has no seat ${listLabels(unknown)}` });
  return upper.map((l) => byLabel.get(l) as number);
}

/** Sends a paid booking's ticket to its buyer again (the e-mail consumer writes it: booking.ticket_resent). */
export function resendTicket(db: Db, actor: Actor, input: unknown, now: Date = new Date()): Promise<ChangeOutcome> {
  return changeBooking(
    db,
    actor,
    () => parseOrThrow(bookingResendSchema, input),
    "RESEND_TICKET",
    async (tx, booking, data) => {
      const booked = await seatsOf(tx, booking.id);
      await record(
        tx,
        booking,
        actor,
        now,
        { requestKey: data.requestKey, kind: "RESEND_TICKET" },
        { action: "resend_ticket", seatIds: booked.map((s) => s.id), seatLabels: booked.map((s) => s.label) },
      );
      return { kind: "RESEND_TICKET", booking, refundCents: 0, seatLabels: [], toSeatLabels: [], replayed: false };
    },
  );
}

/** The flash message for an outcome, in the venue's words. */
export function describeChange(outcome: ChangeOutcome, money: (cents: number) => string): string {
  const n = outcome.seatLabels.length;
  switch (outcome.kind) {
    case "CANCEL_SEATS":
      return outcome.booking.status === "CANCELLED"
        ? `Booking ${outcome.booking.reference} cancelled: ${money(outcome.refundCents)} refunded`
        : `${counted(n, "seat", "seats")} cancelled (${listLabels(outcome.seatLabels)}): ${money(outcome.refundCents)} refunded`;
    case "MOVE":
      return `Moved ${listLabels(outcome.seatLabels)} to ${listLabels(outcome.toSeatLabels)}`;
    case "RESEND_TICKET":
      return `The ticket for ${outcome.booking.reference} is on its way to the buyer again`;
  }
}
