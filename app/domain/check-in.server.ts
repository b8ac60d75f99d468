/**
 * Door check-in: a ticket's reference (typed, or read from its QR code) lets one person in per
 * scan, seat by seat, until every seat of the booking is in.
 *
 * Invariants (tests/integration/check-in.test.ts):
 * - a seat comes in once: the same ticket scanned at two doors at once is valid at exactly one
 *   (the booking's row is locked for the decision, and check_ins' primary key is the backstop);
 * - only a paid booking of the door's own show lets anyone in; a cancelled (refunded) ticket,
 *   a hold never paid, another show's ticket and an unknown reference are refused, each saying so;
 * - only door staff and administrators check tickets in.
 */
import { and, asc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "~/db/client.server";
import { auditLog, bookingSeats, bookings, checkIns, seats, shows, users } from "~/db/schema";
import { Forbidden } from "./errors";
import { mayCheckIn } from "./roles";
import { checkInSchema } from "./schemas";
import type { Actor } from "./show-admin.server";
import { parseOrThrow, requireId } from "./validation";

/** `ready`: a lookup found a seat that the next scan would let in (nothing was changed). */
export type CheckInVerdict = "valid" | "already" | "ready" | "other_show" | "cancelled" | "not_paid" | "unknown";

export interface CheckInResult {
  verdict: CheckInVerdict;
  reference: string;
  /** The buyer's name, the booking's seats, and how many are in now (valid, already). */
  name?: string;
  seats?: string[];
  /** The seat this scan let in (valid), or the seat asked about (already). */
  seat?: string;
  inCount?: number;
  total?: number;
  /** When, at which door and by whom the seat came in (valid, already). */
  earlier?: { at: Date; door: string; by: string };
  /** The show the ticket is for (other_show). */
  otherShow?: { id: string; name: string; startsAt: Date; timeZone: string };
}

/** What people type from a ticket: spaces and dashes dropped, any case. */
export const normaliseReference = (text: string) => text.toUpperCase().replace(/[\s-]/g, "");

/**
 * Checks a ticket in: the next seat of the booking not yet in (or the seat asked for). With a
 * `scanKey`, a repeat of the same scan (a page reloaded, a scanner app's retry) answers what that
 * scan answered, and lets nobody else in.
 */
export type ScanResult = CheckInResult & { verdict: Exclude<CheckInVerdict, "ready"> };

export async function checkIn(db: Db, actor: Actor, input: unknown, now: Date = new Date()): Promise<ScanResult> {
  if (!mayCheckIn(actor.role)) throw new Forbidden("Only door staff and administrators can check tickets in.");
  const data = parseOrThrow(checkInSchema, input);
  const showId = requireId(data.showId, "show");
  const result = await db.transaction((tx) => decide(tx, actor, { ...data, showId }, now, true));
  // A check-in lets the next seat in or says why not; only a lookup answers "ready".
  if (result.verdict === "ready") throw new Error("a check-in answered ready");
  return result as ScanResult;
}

/** What the door would answer for a reference, changing nothing: the door page after a scan shows it (its `scanKey` says which scan). */
export async function ticketAtTheDoor(db: DbOrTx, actor: Actor, input: unknown, now: Date = new Date()): Promise<CheckInResult> {
  if (!mayCheckIn(actor.role)) throw new Forbidden("Only door staff and administrators can check tickets in.");
  const data = parseOrThrow(checkInSchema, input);
  return decide(db, actor, { ...data, showId: requireId(data.showId, "show") }, now, false);
}

type CheckInInput = ReturnType<typeof checkInSchema.parse> & { showId: string };

async function decide(tx: DbOrTx, actor: Actor, data: CheckInInput, now: Date, write: boolean): Promise<CheckInResult> {
  const reference = normaliseReference(data.reference);
  const query = tx.select().from(bookings).where(eq(bookings.reference, reference));
  // Two doors scanning the same ticket take turns on its row: each sees what the other let in.
  const [booking] = write ? await query.for("no key update") : await query;
  if (!booking) return { verdict: "unknown", reference };
  if (booking.showId !== data.showId) {
    const [other] = await tx
      .select({ id: shows.id, name: shows.name, startsAt: shows.startsAt, timeZone: shows.timeZone })
      .from(shows)
      .where(eq(shows.id, booking.showId));
    return { verdict: "other_show", reference, otherShow: other };
  }
  if (booking.status === "CANCELLED") return { verdict: "cancelled", reference };
  if (booking.status !== "CONFIRMED") return { verdict: "not_paid", reference };
  const [buyer] = await tx.select({ name: users.name }).from(users).where(eq(users.id, booking.userId));
  const lines = await tx
    .select({ id: seats.id, label: seats.label, at: checkIns.at, door: checkIns.door, by: checkIns.byName, scanKey: checkIns.scanKey })
    .from(bookingSeats)
    .innerJoin(seats, eq(seats.id, bookingSeats.seatId))
    .leftJoin(checkIns, and(eq(checkIns.bookingId, bookingSeats.bookingId), eq(checkIns.seatId, bookingSeats.seatId)))
    .where(eq(bookingSeats.bookingId, booking.id))
    .orderBy(asc(seats.id));
  const about = { reference, name: buyer?.name ?? "", seats: lines.map((l) => l.label), total: lines.length };
  const inBefore = lines.filter((l) => l.at).length;
  const earlierOf = (l: (typeof lines)[number]) => ({ at: l.at as Date, door: l.door ?? "", by: l.by ?? "" });
  const sameScan = data.scanKey ? lines.find((l) => l.scanKey === data.scanKey) : undefined;
  if (sameScan) return { verdict: "valid", ...about, seat: sameScan.label, inCount: inBefore, earlier: earlierOf(sameScan) };
  const asked = data.seat ? lines.find((l) => l.label.toUpperCase() === data.seat?.toUpperCase()) : undefined;
  if (data.seat && !asked) return { verdict: "unknown", reference };
  const next = asked ?? lines.find((l) => !l.at);
  if (!next || next.at) {
    // Everyone is in (or the seat asked about is): say when the last of them came, where, by whom.
    const seen = next ?? [...lines].sort((a, b) => (b.at?.getTime() ?? 0) - (a.at?.getTime() ?? 0))[0];
    return { verdict: "already", ...about, seat: seen.label, inCount: inBefore, earlier: earlierOf(seen) };
  }
  if (!write) return { verdict: "ready", ...about, seat: next.label, inCount: inBefore };
  await tx.insert(checkIns).values({
    bookingId: booking.id,
    seatId: next.id,
    showId: data.showId,
    at: now,
    door: data.door,
    byId: actor.id,
    byName: actor.name,
    scanKey: data.scanKey ?? null,
  });
  await tx.insert(auditLog).values({
    at: now,
    showId: data.showId,
    actorId: actor.id,
    actorName: actor.name,
    actorEmail: actor.email,
    action: "check_in",
    seatIds: [next.id],
    seatLabels: [next.label],
    bookingId: booking.id,
    bookingReference: booking.reference,
    details: { door: data.door },
  });
  return { verdict: "valid", ...about, seat: next.label, inCount: inBefore + 1, earlier: { at: now, door: data.door, by: actor.name } };
}

/** Shows a door may be checking in: not cancelled, and not over more than half a day ago, the soonest first. */
export async function showsAtTheDoor(db: DbOrTx, actor: Actor, now: Date = new Date()) {
  if (!mayCheckIn(actor.role)) throw new Forbidden("Only door staff and administrators can check tickets in.");
  return db
    .select({ id: shows.id, name: shows.name, startsAt: shows.startsAt, timeZone: shows.timeZone, venue: shows.venue })
    .from(shows)
    .where(and(isNull(shows.cancelledAt), gt(shows.lastStartsAt, new Date(now.getTime() - 12 * 3600_000))))
    .orderBy(asc(shows.startsAt))
    .limit(100);
}

/** "Checked in / expected" for a show: paid seats, and how many of them are in. */
export async function checkInCounts(db: DbOrTx, showId: string): Promise<{ checkedIn: number; expected: number }> {
  const id = requireId(showId, "show");
  const [row] = await db
    .select({
      expected: sql<number>`count(*)::int`,
      checkedIn: sql<number>`count(${checkIns.seatId})::int`,
    })
    .from(bookingSeats)
    .innerJoin(bookings, eq(bookings.id, bookingSeats.bookingId))
    .leftJoin(checkIns, and(eq(checkIns.bookingId, bookingSeats.bookingId), eq(checkIns.seatId, bookingSeats.seatId)))
    .where(and(eq(bookings.showId, id), eq(bookings.status, "CONFIRMED")));
  return row ?? { checkedIn: 0, expected: 0 };
}
