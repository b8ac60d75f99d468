import { randomBytes } from "node:crypto";
import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "~/db/client.server";
import { type Booking, bookingSeats, bookings, seats, shows } from "~/db/schema";
import { Conflict, listLabels, NotFound, SeatsUnavailable, ValidationFailed } from "./errors";
import { retryTransient } from "./retry.server";
import { holdRequestSchema } from "./schemas";
import { hasStarted, isSeatFree, type StoredSeatStatus } from "./seat-state";
import { type BookingSettings, DEFAULT_BOOKING_SETTINGS } from "./settings";
import { parseOrThrow, requireId } from "./validation";

export interface HoldInput {
  /** From the session or the token, never from the request. */
  userId: string;
  showId: string;
  /** As received: parsed here with holdRequestSchema. */
  seatIds: unknown;
}

export interface HoldResult {
  booking: Booking;
  seats: Array<{ id: number; label: string }>;
  /** Which path won: the optimistic compare-and-swap, or the FOR UPDATE fallback. */
  path: "cas" | "lock";
  attempts: number;
}

// Crockford-style alphabet without look-alikes: 10 characters ≈ 50 bits, unguessable, easy to read out.
const REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
export function newReference(): string {
  const bytes = randomBytes(10);
  return Array.from(bytes, (b) => REFERENCE_ALPHABET[b % 32]).join("");
}

type SeatRow = { id: number; label: string; status: StoredSeatStatus; expiresAt: Date | null; startsAt: Date; version: number };

class LostRace extends Error {}

/**
 * Holds seats for a user, all or nothing.
 *
 * Invariants: a seat is held by at most one live hold and sold at most once; a user holds at most
 * `maxSeatsPerHold` seats of one show at a time; a hold that has ended frees its seats at once
 * (expiry never waits for the sweeper). Proven in tests/integration/holds.test.ts and
 * tests/integration/concurrency.test.ts.
 *
 * Optimistic path: read the seats and their versions without locks, then compare-and-swap each
 * one (`WHERE id = … AND version = …`, checking the row count). Losing a race on a seat that is
 * still free retries; after `casAttempts` the FOR UPDATE path does the same checks under row locks.
 * A seat that is really taken fails at once, naming it, and nothing is held.
 */
export async function placeHold(
  db: Db,
  input: HoldInput,
  now: Date = new Date(),
  settings: BookingSettings = DEFAULT_BOOKING_SETTINGS,
): Promise<HoldResult> {
  const { userId } = input;
  const showId = requireId(input.showId, "show");
  const { seatIds } = parseOrThrow(holdRequestSchema, { seatIds: input.seatIds });
  const ids = [...new Set(seatIds)].sort((a, b) => a - b);
  if (ids.length !== seatIds.length) throw new ValidationFailed({ seatIds: "Each seat can be picked once" });
  if (ids.length > settings.maxSeatsPerHold) {
    throw new ValidationFailed({ seatIds: `You can hold at most ${settings.maxSeatsPerHold} seats at a time` });
  }
  const request = { userId, showId, ids };
  // In a rush most requests want seats that are already gone: one plain read answers them
  // without opening a transaction. The transaction below checks again; this is only a shortcut.
  await failFastIfTaken(db, request, now);

  if (settings.holdStrategy === "cas") {
    for (let attempt = 1; attempt <= settings.casAttempts; attempt++) {
      const held = await retryTransient(() => holdOptimistically(db, request, now, settings));
      if (held) return { ...held, path: "cas", attempts: attempt };
      // Lost a race. If a seat is really gone now, say so at once; if all are still free, go again.
      await failIfTaken(db, request, now);
    }
  }
  const held = await retryTransient(() => holdWithLocks(db, request, now, settings));
  return { ...held, path: "lock", attempts: settings.holdStrategy === "cas" ? settings.casAttempts + 1 : 1 };
}

type HoldRequest = { userId: string; showId: string; ids: number[] };

/**
 * The checks both paths share, in the one order every hold takes locks: the show, this user's
 * turn on it, the seats (read plainly, or locked FOR UPDATE in id order), the user's limit; then
 * the booking. Returns the seats as read, with their versions.
 */
async function beginHold(tx: DbOrTx, req: HoldRequest, now: Date, settings: BookingSettings, lockSeats: boolean) {
  const show = await checkShow(tx, req);
  await lockUserOnShow(tx, req);
  const rows = await readSeats(tx, req, lockSeats);
  assertNotStarted(rows, now, show.kind);
  assertAllFree(rows, now);
  await checkUserLimit(tx, req, now, settings);
  const booking = await insertBooking(tx, req, show, now, settings);
  return { rows, booking, seats: rows.map(({ id, label }) => ({ id, label })) };
}

async function holdOptimistically(db: Db, req: HoldRequest, now: Date, settings: BookingSettings) {
  try {
    return await db.transaction(async (tx) => {
      const { rows, booking, seats: held } = await beginHold(tx, req, now, settings, false);
      // One seat at a time in id order: two holds never wait on each other in a cycle.
      for (const seat of rows) {
        const swapped = await tx
          .update(seats)
          .set(heldBy(req.userId, booking))
          .where(and(eq(seats.id, seat.id), eq(seats.version, seat.version)))
          .returning({ id: seats.id });
        if (swapped.length !== 1) throw new LostRace();
      }
      return { booking, seats: held };
    });
  } catch (error) {
    if (error instanceof LostRace) return null;
    throw error;
  }
}

async function holdWithLocks(db: Db, req: HoldRequest, now: Date, settings: BookingSettings) {
  return db.transaction(async (tx) => {
    const { rows, booking, seats: held } = await beginHold(tx, req, now, settings, true);
    const updated = await tx.update(seats).set(heldBy(req.userId, booking)).where(inArray(seats.id, req.ids)).returning({ id: seats.id });
    if (updated.length !== rows.length) throw new Error("Locked seats changed under their lock");
    return { booking, seats: held };
  });
}

function heldBy(userId: string, booking: Booking) {
  return {
    status: "PENDING" as const,
    holderId: userId,
    bookingId: booking.id,
    expiresAt: booking.expiresAt,
    version: sql`${seats.version} + 1`,
  };
}

async function checkShow(tx: DbOrTx, req: HoldRequest) {
  const [show] = await tx
    .select({ id: shows.id, kind: shows.kind, priceCents: shows.priceCents, currency: shows.currency })
    .from(shows)
    .where(eq(shows.id, req.showId));
  if (!show) throw new NotFound("There is no such show");
  return show;
}

/**
 * One user's holds on one show take turns, so two tabs cannot both pass the per-user limit.
 * Taken before any seat row on both paths: the same lock order everywhere, so no deadlock.
 */
async function lockUserOnShow(tx: DbOrTx, req: HoldRequest) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`${req.userId}:${req.showId}`}, 0))`);
}

async function checkUserLimit(tx: DbOrTx, req: HoldRequest, now: Date, settings: BookingSettings) {
  const [{ held }] = await tx
    .select({ held: sql<number>`coalesce(sum(${bookings.seatCount}), 0)::int` })
    .from(bookings)
    .where(and(eq(bookings.userId, req.userId), eq(bookings.showId, req.showId), eq(bookings.status, "HELD"), gt(bookings.expiresAt, now)));
  if (held + req.ids.length > settings.maxSeatsPerHold) {
    throw new Conflict(
      `You can hold at most ${settings.maxSeatsPerHold} seats of a show at a time; you already hold ${held}. Pay for or release them first.`,
    );
  }
}

function selectSeats(tx: DbOrTx, req: HoldRequest) {
  return tx
    .select({
      id: seats.id,
      label: seats.label,
      status: seats.status,
      expiresAt: seats.expiresAt,
      startsAt: seats.startsAt,
      version: seats.version,
    })
    .from(seats)
    .where(and(eq(seats.showId, req.showId), inArray(seats.id, req.ids)))
    .orderBy(asc(seats.id));
}

async function readSeats(tx: DbOrTx, req: HoldRequest, lock: boolean): Promise<SeatRow[]> {
  const rows = lock ? await selectSeats(tx, req).for("update") : await selectSeats(tx, req);
  if (rows.length !== req.ids.length) throw new ValidationFailed({ seatIds: "Some of these seats are not part of this show" });
  return rows;
}

/** Seats whose time has come cannot be held: per seat, so a clinic's later slots stay open. */
function assertNotStarted(rows: SeatRow[], now: Date, kind: string) {
  const started = rows.filter((s) => hasStarted(s, now));
  if (started.length === 0) return;
  if (kind !== "DOCTOR") throw new Conflict("This show has already started; its seats can no longer be held");
  const labels = started.map((s) => s.label);
  throw new Conflict(`${listLabels(labels)} ${labels.length === 1 ? "has" : "have"} already passed and can no longer be booked`);
}

function assertAllFree(rows: SeatRow[], now: Date) {
  const taken = rows.filter((s) => !isSeatFree(s, now));
  if (taken.length > 0) throw new SeatsUnavailable(taken.map((s) => s.label));
}

async function failIfTaken(db: Db, req: HoldRequest, now: Date) {
  assertAllFree(await readSeats(db, req, false), now);
}

/** Like failIfTaken, but leaves every other complaint (unknown show, foreign or past seats) to the transaction. */
async function failFastIfTaken(db: Db, req: HoldRequest, now: Date) {
  const rows = await selectSeats(db, req);
  if (rows.length === req.ids.length && !rows.some((s) => hasStarted(s, now))) assertAllFree(rows, now);
}

async function insertBooking(
  tx: DbOrTx,
  req: HoldRequest,
  show: { priceCents: number; currency: string },
  now: Date,
  settings: BookingSettings,
) {
  const [booking] = await tx
    .insert(bookings)
    .values({
      reference: newReference(),
      userId: req.userId,
      showId: req.showId,
      status: "HELD",
      expiresAt: new Date(now.getTime() + settings.holdTtlSeconds * 1000),
      seatCount: req.ids.length,
      amountCents: show.priceCents * req.ids.length,
      currency: show.currency,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  await tx.insert(bookingSeats).values(req.ids.map((seatId) => ({ bookingId: booking.id, seatId })));
  return booking;
}
