import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx } from "~/db/client.server";
import { bookings, bookingSeats, payments, seats, shows, type Booking, type Show } from "~/db/schema";
import { Conflict, HoldExpired, NotFound, PaymentDeclined, ValidationFailed } from "./errors";
import { isValidCardNumber, normaliseCard, simulateCharge } from "./payments";
import { retryTransient } from "./retry.server";
import { fieldErrorsOf } from "./users.server";

/** What a person sees: a HELD booking whose time is up is EXPIRED, whether or not the sweeper has run. */
export type EffectiveStatus = Booking["status"];
export function effectiveStatus(booking: Pick<Booking, "status" | "expiresAt">, now: Date): EffectiveStatus {
  return booking.status === "HELD" && booking.expiresAt <= now ? "EXPIRED" : booking.status;
}

export interface BookingView extends Booking {
  effectiveStatus: EffectiveStatus;
  show: Pick<Show, "id" | "name" | "kind" | "venue" | "city" | "startsAt" | "timeZone">;
  seats: Array<{ id: number; label: string }>;
}

const uuid = z.uuid();

/** Locks the booking row (payments, releases and cancels of one booking take turns). */
async function lockOwnBooking(tx: DbOrTx, userId: string, bookingId: string): Promise<Booking> {
  if (!uuid.safeParse(bookingId).success) throw new NotFound("There is no such booking");
  const [booking] = await tx.select().from(bookings).where(eq(bookings.id, bookingId)).for("no key update");
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

const confirmSchema = z.object({
  idempotencyKey: z
    .string({ error: "A payment key is required" })
    .regex(/^[A-Za-z0-9_-]{8,100}$/, "The payment key must be 8 to 100 letters, digits, - or _"),
  card: z
    .string({ error: "Card number is required" })
    .trim()
    .min(1, "Card number is required")
    .max(40, "Card number is not valid")
    .refine(isValidCardNumber, "Card number is not valid"),
});

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
  const parsed = confirmSchema.safeParse(input);
  if (!parsed.success) throw new ValidationFailed(fieldErrorsOf(parsed.error));
  const { idempotencyKey, card } = parsed.data;

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
      const [show] = await tx.select({ startsAt: shows.startsAt }).from(shows).where(eq(shows.id, booking.showId));
      if (show.startsAt <= now) throw new Conflict("The show has started; this hold can no longer be paid for");
      if (booking.status === "EXPIRED" || booking.expiresAt <= now) throw new HoldExpired(booking.expiresAt);

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
      if (stillOurs.length !== booking.seatCount) throw new HoldExpired(booking.expiresAt);
      await tx
        .update(seats)
        .set({ status: "BOOKED", expiresAt: null, version: sql`${seats.version} + 1` })
        .where(inArray(seats.id, stillOurs.map((s) => s.id)));
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
      const [show] = await tx.select({ startsAt: shows.startsAt }).from(shows).where(eq(shows.id, booking.showId));
      if (show.startsAt <= now) throw new Conflict("The show has started; this booking can no longer be cancelled");
      const held = await lockSeatsOf(tx, booking.id);
      if (held.length) await tx.update(seats).set(freeSeat).where(inArray(seats.id, held.map((s) => s.id)));
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

async function seatsOfBookings(db: DbOrTx, bookingIds: string[]) {
  if (bookingIds.length === 0) return new Map<string, Array<{ id: number; label: string }>>();
  const rows = await db
    .select({ bookingId: bookingSeats.bookingId, id: seats.id, label: seats.label })
    .from(bookingSeats)
    .innerJoin(seats, eq(seats.id, bookingSeats.seatId))
    .where(inArray(bookingSeats.bookingId, bookingIds))
    .orderBy(asc(seats.id));
  const bySeat = new Map<string, Array<{ id: number; label: string }>>();
  for (const r of rows) bySeat.set(r.bookingId, [...(bySeat.get(r.bookingId) ?? []), { id: r.id, label: r.label }]);
  return bySeat;
}

/** One of the user's bookings; anybody else's is NotFound. */
export async function getBookingForUser(db: DbOrTx, userId: string, bookingId: string, now: Date = new Date()): Promise<BookingView> {
  if (!uuid.safeParse(bookingId).success) throw new NotFound("There is no such booking");
  const [row] = await db
    .select({ booking: bookings, show: showColumns })
    .from(bookings)
    .innerJoin(shows, eq(shows.id, bookings.showId))
    .where(and(eq(bookings.id, bookingId), eq(bookings.userId, userId)));
  if (!row) throw new NotFound("There is no such booking");
  const seatMap = await seatsOfBookings(db, [row.booking.id]);
  return { ...row.booking, effectiveStatus: effectiveStatus(row.booking, now), show: row.show, seats: seatMap.get(row.booking.id) ?? [] };
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
  const seatMap = await seatsOfBookings(db, rows.map((r) => r.booking.id));
  return rows.map((r) => ({
    ...r.booking,
    effectiveStatus: effectiveStatus(r.booking, now),
    show: r.show,
    seats: seatMap.get(r.booking.id) ?? [],
  }));
}
