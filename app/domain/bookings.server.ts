import { and, asc, desc, eq, inArray, min, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "~/db/client.server";
import { type Booking, bookingSeats, bookings, payments, type Show, seats, shows } from "~/db/schema";
import { Conflict, HoldExpired, NotFound, PaymentDeclined } from "./errors";
import { normaliseCard, simulateCharge } from "./payments";
import { retryTransient } from "./retry.server";
import { confirmRequestSchema } from "./schemas";
import { hasStarted } from "./seat-state";
import { parseOrThrow, requireId } from "./validation";

/** What a person sees: a HELD booking whose time is up is EXPIRED, whether or not the sweeper has run. */
export type EffectiveStatus = Booking["status"];
export function effectiveStatus(booking: Pick<Booking, "status" | "expiresAt">, now: Date): EffectiveStatus {
  return booking.status === "HELD" && booking.expiresAt <= now ? "EXPIRED" : booking.status;
}

export interface BookingView extends Booking {
  effectiveStatus: EffectiveStatus;
  show: Pick<Show, "id" | "name" | "kind" | "venue" | "city" | "startsAt" | "timeZone">;
  seats: Array<{ id: number; label: string }>;
  /** When the booking's first seat's time comes (a clinic booking: its slot). */
  startsAt: Date;
}

/** Locks the booking row (payments, releases and cancels of one booking take turns). */
async function lockOwnBooking(tx: DbOrTx, userId: string, bookingId: string): Promise<Booking> {
  const id = requireId(bookingId, "booking");
  const [booking] = await tx.select().from(bookings).where(eq(bookings.id, id)).for("no key update");
  // Someone else's booking is indistinguishable from none at all.
  if (!booking || booking.userId !== userId) throw new NotFound("There is no such booking");
  return booking;
}

/** Locks the booking's seats that still point at it, in id order (the order every writer uses). */
async function lockSeatsOf(tx: DbOrTx, bookingId: string) {
  return tx
    .select({ id: seats.id, status: seats.status, expiresAt: seats.expiresAt })
    .from(seats)
    .where(eq(seats.bookingId, bookingId))
    .orderBy(asc(seats.id))
    .for("update");
}

const freeSeat = { status: "AVAILABLE" as const, holderId: null, bookingId: null, expiresAt: null, version: sql`${seats.version} + 1` };

/** The booking's show's zone, and when its first seat's time comes (per seat: a clinic slot's own time). */
async function timesOf(tx: DbOrTx, booking: Booking) {
  const [row] = await tx
    .select({ timeZone: shows.timeZone, startsAt: min(seats.startsAt) })
    .from(shows)
    .innerJoin(bookingSeats, eq(bookingSeats.bookingId, booking.id))
    .innerJoin(seats, eq(seats.id, bookingSeats.seatId))
    .where(eq(shows.id, booking.showId))
    .groupBy(shows.id);
  return { timeZone: row.timeZone, startsAt: row.startsAt ?? new Date(0) };
}

export type ConfirmOutcome = { booking: Booking; charged: boolean };

/**
 * Pays for a hold. Invariants: only the holder pays; a hold is paid at most once (one charge per
 * booking, kept by a unique index); the same idempotency key always gives the same answer; a hold
 * that has ended fails with HoldExpired and nothing changes; a payment racing the sweeper either
 * completes (every seat BOOKED) or fails with HoldExpired — never half. A declined card leaves
 * the hold as it is. Proven in tests/integration/bookings.test.ts and sweeper.test.ts.
 */
export async function confirmBooking(
  db: Db,
  input: { userId: string; bookingId: string; idempotencyKey: unknown; card: unknown },
  now: Date = new Date(),
): Promise<ConfirmOutcome> {
  const { idempotencyKey, card } = parseOrThrow(confirmRequestSchema, { idempotencyKey: input.idempotencyKey, card: input.card });

  const outcome = await retryTransient(() =>
    db.transaction(async (tx) => {
      const booking = await lockOwnBooking(tx, input.userId, input.bookingId);
      const [earlier] = await tx
        .select({ status: payments.status })
        .from(payments)
        .where(and(eq(payments.bookingId, booking.id), eq(payments.idempotencyKey, idempotencyKey)));
      if (earlier) {
        if (earlier.status === "DECLINED") return { kind: "declined" as const };
        return { kind: "done" as const, booking, charged: false };
      }
      if (booking.status === "CONFIRMED" || booking.status === "CANCELLED") {
        throw new Conflict("This booking is already paid for");
      }
      if (booking.status === "RELEASED") throw new Conflict("This hold was released; pick your seats again");
      const times = await timesOf(tx, booking);
      if (hasStarted(times, now)) throw new Conflict("The show has started; this hold can no longer be paid for");
      if (booking.status === "EXPIRED" || booking.expiresAt <= now) throw new HoldExpired(booking.expiresAt, times.timeZone);

      const charge = simulateCharge(card);
      const record = {
        bookingId: booking.id,
        idempotencyKey,
        amountCents: booking.amountCents,
        currency: booking.currency,
        cardLast4: normaliseCard(card).slice(-4),
        createdAt: now,
      };
      if (charge === "DECLINED") {
        await tx.insert(payments).values({ ...record, status: "DECLINED" });
        return { kind: "declined" as const };
      }
      const held = await lockSeatsOf(tx, booking.id);
      const stillOurs = held.filter((s) => s.status === "PENDING" && s.expiresAt !== null && s.expiresAt > now);
      if (stillOurs.length !== booking.seatCount) throw new HoldExpired(booking.expiresAt, times.timeZone);
      await tx
        .update(seats)
        .set({ status: "BOOKED", expiresAt: null, version: sql`${seats.version} + 1` })
        .where(
          inArray(
            seats.id,
            stillOurs.map((s) => s.id),
          ),
        );
      await tx.insert(payments).values({ ...record, status: "SUCCEEDED" });
      const [confirmed] = await tx
        .update(bookings)
        .set({ status: "CONFIRMED", confirmedAt: now, updatedAt: now, idempotencyKey })
        .where(eq(bookings.id, booking.id))
        .returning();
      return { kind: "done" as const, booking: confirmed, charged: true };
    }),
  );
  // A decline is recorded (so the same key answers the same) before it is reported.
  if (outcome.kind === "declined") throw new PaymentDeclined();
  return { booking: outcome.booking, charged: outcome.charged };
}

/**
 * The holder gives a hold back: RELEASED, its seats AVAILABLE with versions + 1. Releasing twice
 * is harmless. A hold that already ended is marked EXPIRED instead (its seats are freed all the same).
 */
export async function releaseHold(db: Db, input: { userId: string; bookingId: string }, now: Date = new Date()): Promise<Booking> {
  return retryTransient(() =>
    db.transaction(async (tx) => {
      const booking = await lockOwnBooking(tx, input.userId, input.bookingId);
      if (booking.status === "RELEASED" || booking.status === "EXPIRED") return booking;
      if (booking.status !== "HELD") throw new Conflict("This booking is paid for; cancel it instead");
      const held = await lockSeatsOf(tx, booking.id);
      const ids = held.filter((s) => s.status === "PENDING").map((s) => s.id);
      if (ids.length) await tx.update(seats).set(freeSeat).where(inArray(seats.id, ids));
      const [released] = await tx
        .update(bookings)
        .set({ status: booking.expiresAt <= now ? "EXPIRED" : "RELEASED", updatedAt: now })
        .where(eq(bookings.id, booking.id))
        .returning();
      return released;
    }),
  );
}

/** The owner cancels a paid booking before the show starts: CANCELLED, refund simulated, seats AVAILABLE. */
export async function cancelBooking(db: Db, input: { userId: string; bookingId: string }, now: Date = new Date()): Promise<Booking> {
  return retryTransient(() =>
    db.transaction(async (tx) => {
      const booking = await lockOwnBooking(tx, input.userId, input.bookingId);
      if (booking.status === "CANCELLED") return booking;
      if (booking.status !== "CONFIRMED") throw new Conflict("Only a paid booking can be cancelled; release a hold instead");
      if (hasStarted(await timesOf(tx, booking), now)) throw new Conflict("The show has started; this booking can no longer be cancelled");
      const held = await lockSeatsOf(tx, booking.id);
      if (held.length)
        await tx
          .update(seats)
          .set(freeSeat)
          .where(
            inArray(
              seats.id,
              held.map((s) => s.id),
            ),
          );
      await tx
        .update(payments)
        .set({ status: "REFUNDED", refundedAt: now })
        .where(and(eq(payments.bookingId, booking.id), eq(payments.status, "SUCCEEDED")));
      const [cancelled] = await tx
        .update(bookings)
        .set({ status: "CANCELLED", cancelledAt: now, updatedAt: now })
        .where(eq(bookings.id, booking.id))
        .returning();
      return cancelled;
    }),
  );
}

const showColumns = {
  id: shows.id,
  name: shows.name,
  kind: shows.kind,
  venue: shows.venue,
  city: shows.city,
  startsAt: shows.startsAt,
  timeZone: shows.timeZone,
};

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
    .select({ booking: bookings, show: showColumns })
    .from(bookings)
    .innerJoin(shows, eq(shows.id, bookings.showId))
    .where(and(eq(bookings.id, id), eq(bookings.userId, userId)));
  if (!row) throw new NotFound("There is no such booking");
  const booked = await seatsOfBookings(db, [row.booking.id]);
  return viewOf(row.booking, row.show, booked.get(row.booking.id), now);
}

/** The user's bookings, newest first. */
export async function listBookingsForUser(db: DbOrTx, userId: string, now: Date = new Date()): Promise<BookingView[]> {
  const rows = await db
    .select({ booking: bookings, show: showColumns })
    .from(bookings)
    .innerJoin(shows, eq(shows.id, bookings.showId))
    .where(eq(bookings.userId, userId))
    .orderBy(desc(bookings.createdAt))
    .limit(500);
  const booked = await seatsOfBookings(
    db,
    rows.map((r) => r.booking.id),
  );
  return rows.map((r) => viewOf(r.booking, r.show, booked.get(r.booking.id), now));
}
