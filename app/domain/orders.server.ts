/**
 * Orders and attendees, as operators look for them: bookings by show, by state, by a search (a
 * reference, part of a buyer's name or e-mail, a seat's label), a page at a time; one booking with
 * everything that happened to it; a show's attendees one line per seat (the door list, the CSV).
 * Reads only: what changes a booking is booking-changes.server.ts; checking in is check-in.server.ts.
 */
import { and, asc, desc, eq, inArray, or, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "~/db/client.server";
import {
  auditLog,
  type Booking,
  bookingChanges,
  bookingSeats,
  bookings,
  checkIns,
  payments,
  type Show,
  seats,
  sentEmails,
  shows,
  users,
} from "~/db/schema";
import { type EffectiveStatus, effectiveStatus } from "./bookings.server";
import { normaliseReference } from "./check-in.server";
import { cursorOf, readCursor } from "./cursor";
import { Forbidden, NotFound } from "./errors";
import { mayCheckIn } from "./roles";
import { bookingListQuerySchema } from "./schemas";
import { holdHasEnded, holdIsLive } from "./seat-state.server";
import type { Actor } from "./show-admin.server";
import { assertAdmin } from "./show-admin.server";
import { parseOrThrow, requireId } from "./validation";

export interface OrderRow {
  id: string;
  reference: string;
  status: EffectiveStatus;
  show: Pick<Show, "id" | "name" | "startsAt" | "timeZone">;
  buyer: { name: string; email: string };
  seats: string[];
  amountCents: number;
  currency: string;
  createdAt: Date;
  checkedIn: number;
}

/** LIKE's own characters in a search are matched as themselves. */
const likeText = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** What a status filter means: HELD is a live hold, EXPIRED includes holds whose time is up before the sweeper came. */
function statusIs(status: EffectiveStatus, now: Date): SQL {
  if (status === "HELD") return holdIsLive(now);
  if (status === "EXPIRED") return or(eq(bookings.status, "EXPIRED"), holdHasEnded(now)) as SQL;
  return eq(bookings.status, status);
}

/**
 * A page of bookings, the newest first, keyed on (created, id): a booking made between two pages
 * never makes the next page skip or repeat one. Admins only.
 */
export async function listBookings(
  db: DbOrTx,
  actor: Actor,
  query: unknown,
  now: Date = new Date(),
): Promise<{ bookings: OrderRow[]; nextCursor: string | null }> {
  assertAdmin(actor);
  const q = parseOrThrow(bookingListQuerySchema, query ?? {});
  const conditions: SQL[] = [];
  if (q.showId) conditions.push(eq(bookings.showId, q.showId));
  if (q.status) conditions.push(statusIs(q.status, now));
  if (q.q) {
    const text = likeText(q.q);
    conditions.push(
      or(
        eq(bookings.reference, normaliseReference(q.q)),
        sql`${users.email} ilike ${text}`,
        sql`${users.name} ilike ${text}`,
        sql`exists (select 1 from ${bookingSeats} bs join ${seats} s on s.id = bs.seat_id
          where bs.booking_id = ${bookings.id} and upper(s.label) = upper(${q.q}))`,
      ) as SQL,
    );
  }
  if (q.cursor !== undefined) {
    const after = readCursor(q.cursor);
    conditions.push(sql`(${bookings.createdAt}, ${bookings.id}) < (${after.at}::timestamptz, ${after.id}::uuid)`);
  }
  const rows = await db
    .select({
      booking: bookings,
      show: { id: shows.id, name: shows.name, startsAt: shows.startsAt, timeZone: shows.timeZone },
      buyer: { name: users.name, email: users.email },
    })
    .from(bookings)
    .innerJoin(shows, eq(shows.id, bookings.showId))
    .innerJoin(users, eq(users.id, bookings.userId))
    .where(and(...conditions))
    .orderBy(desc(bookings.createdAt), desc(bookings.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const details = await seatsAndCheckIns(
    db,
    page.map((r) => r.booking.id),
  );
  return {
    bookings: page.map((r) => ({
      id: r.booking.id,
      reference: r.booking.reference,
      status: effectiveStatus(r.booking, now),
      show: r.show,
      buyer: r.buyer,
      seats: details.get(r.booking.id)?.seats ?? [],
      amountCents: r.booking.amountCents,
      currency: r.booking.currency,
      createdAt: r.booking.createdAt,
      checkedIn: details.get(r.booking.id)?.checkedIn ?? 0,
    })),
    nextCursor: rows.length > q.limit ? cursorOf(page[page.length - 1].booking.createdAt, page[page.length - 1].booking.id) : null,
  };
}

async function seatsAndCheckIns(db: DbOrTx, bookingIds: string[]) {
  const out = new Map<string, { seats: string[]; checkedIn: number }>();
  if (bookingIds.length === 0) return out;
  const rows = await db
    .select({
      bookingId: bookingSeats.bookingId,
      label: seats.label,
      in: sql<boolean>`(${checkIns.seatId} is not null)`,
    })
    .from(bookingSeats)
    .innerJoin(seats, eq(seats.id, bookingSeats.seatId))
    .leftJoin(checkIns, and(eq(checkIns.bookingId, bookingSeats.bookingId), eq(checkIns.seatId, bookingSeats.seatId)))
    .where(inArray(bookingSeats.bookingId, bookingIds))
    .orderBy(asc(seats.id));
  for (const r of rows) {
    const entry = out.get(r.bookingId) ?? { seats: [], checkedIn: 0 };
    entry.seats.push(r.label);
    if (r.in) entry.checkedIn++;
    out.set(r.bookingId, entry);
  }
  return out;
}

export interface BookingSeatLine {
  id: number;
  label: string;
  priceCents: number;
  startsAt: Date;
  checkIn: { at: Date; door: string; by: string } | null;
}

export interface OrderDetail {
  booking: Booking;
  status: EffectiveStatus;
  show: Show;
  buyer: { id: string; name: string; email: string };
  seats: BookingSeatLine[];
  payments: Array<typeof payments.$inferSelect>;
  changes: Array<typeof bookingChanges.$inferSelect>;
  audit: Array<typeof auditLog.$inferSelect>;
  emails: Array<typeof sentEmails.$inferSelect>;
}

/** One booking with everything that happened to it: its seats, payments, refunds and moves, its trail and its e-mails. */
export async function getOrder(db: DbOrTx, actor: Actor, bookingId: string, now: Date = new Date()): Promise<OrderDetail> {
  assertAdmin(actor);
  const id = requireId(bookingId, "booking");
  const [row] = await db
    .select({ booking: bookings, show: shows, buyer: { id: users.id, name: users.name, email: users.email } })
    .from(bookings)
    .innerJoin(shows, eq(shows.id, bookings.showId))
    .innerJoin(users, eq(users.id, bookings.userId))
    .where(eq(bookings.id, id));
  if (!row) throw new NotFound("There is no such booking");
  const [lines, paid, changes, audit, emails] = await Promise.all([
    db
      .select({
        id: seats.id,
        label: seats.label,
        priceCents: bookingSeats.priceCents,
        startsAt: seats.startsAt,
        at: checkIns.at,
        door: checkIns.door,
        by: checkIns.byName,
      })
      .from(bookingSeats)
      .innerJoin(seats, eq(seats.id, bookingSeats.seatId))
      .leftJoin(checkIns, and(eq(checkIns.bookingId, bookingSeats.bookingId), eq(checkIns.seatId, bookingSeats.seatId)))
      .where(eq(bookingSeats.bookingId, id))
      .orderBy(asc(seats.id)),
    db.select().from(payments).where(eq(payments.bookingId, id)).orderBy(asc(payments.createdAt)),
    db.select().from(bookingChanges).where(eq(bookingChanges.bookingId, id)).orderBy(asc(bookingChanges.at), asc(bookingChanges.id)),
    db.select().from(auditLog).where(eq(auditLog.bookingId, id)).orderBy(asc(auditLog.at), asc(auditLog.id)),
    db.select().from(sentEmails).where(eq(sentEmails.bookingId, id)).orderBy(asc(sentEmails.at), asc(sentEmails.id)),
  ]);
  return {
    booking: row.booking,
    status: effectiveStatus(row.booking, now),
    show: row.show,
    buyer: row.buyer,
    seats: lines.map((l) => ({
      id: l.id,
      label: l.label,
      priceCents: l.priceCents,
      startsAt: l.startsAt,
      checkIn: l.at ? { at: l.at, door: l.door ?? "", by: l.by ?? "" } : null,
    })),
    payments: paid,
    changes,
    audit,
    emails,
  };
}

export interface AttendeeLine {
  seat: string;
  section: string | null;
  reference: string;
  bookingId: string;
  name: string;
  email: string;
  priceCents: number;
  currency: string;
  checkedInAt: Date | null;
  door: string | null;
}

/**
 * A show's attendees, one line per paid seat in seat order: the door list and the CSV export.
 * Door staff may read it (they check people in against it); so may admins.
 */
export function attendeesOf(db: DbOrTx, actor: Actor, showId: string, batch = 2000): AsyncGenerator<AttendeeLine[], void, undefined> {
  // Checked now, not at the first batch: a caller learns of a refusal before it starts a response.
  if (!mayCheckIn(actor.role)) throw new Forbidden("Only door staff and administrators can read the door list.");
  return attendeeBatches(db, requireId(showId, "show"), batch);
}

/** The CSV export's columns, and a line as its row. */
export const ATTENDEE_COLUMNS = ["seat", "section", "reference", "name", "email", "price", "currency", "checked_in_at", "door"] as const;
export const attendeeRow = (l: AttendeeLine): string[] => [
  l.seat,
  l.section ?? "",
  l.reference,
  l.name,
  l.email,
  (l.priceCents / 100).toFixed(2),
  l.currency,
  l.checkedInAt ? l.checkedInAt.toISOString() : "",
  l.door ?? "",
];

async function* attendeeBatches(db: DbOrTx, id: string, batch: number): AsyncGenerator<AttendeeLine[], void, undefined> {
  let afterSeat = 0;
  for (;;) {
    const rows = await db
      .select({
        seatId: seats.id,
        seat: seats.label,
        section: seats.section,
        reference: bookings.reference,
        bookingId: bookings.id,
        name: users.name,
        email: users.email,
        priceCents: bookingSeats.priceCents,
        currency: bookings.currency,
        checkedInAt: checkIns.at,
        door: checkIns.door,
      })
      .from(bookingSeats)
      .innerJoin(bookings, eq(bookings.id, bookingSeats.bookingId))
      .innerJoin(seats, eq(seats.id, bookingSeats.seatId))
      .innerJoin(users, eq(users.id, bookings.userId))
      .leftJoin(checkIns, and(eq(checkIns.bookingId, bookingSeats.bookingId), eq(checkIns.seatId, bookingSeats.seatId)))
      .where(and(eq(bookings.showId, id), eq(bookings.status, "CONFIRMED"), sql`${seats.id} > ${afterSeat}`))
      .orderBy(asc(seats.id))
      .limit(batch);
    if (rows.length === 0) return;
    yield rows.map(({ seatId: _, ...line }) => line);
    if (rows.length < batch) return;
    afterSeat = rows[rows.length - 1].seatId;
  }
}
