import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "~/db/client.server";
import { users } from "~/db/schema";
import type { LayoutSpec } from "~/domain/layouts";
import { createShow } from "~/domain/shows.server";

// A real bcrypt hash (cost 12) of FIXTURE_PASSWORD, reused by every test user: hashing per user
// would slow the suite.
export const FIXTURE_PASSWORD = "fixture-password-1";
export const FIXTURE_PASSWORD_HASH = "$2b$12$g4rYPLxPpu8ySpkCrAJVcueEFRvzAbWBcd/isuvSHO58OR7SGrT76";

export async function makeUsers(db: Db, count: number) {
  const rows = Array.from({ length: count }, () => {
    const id = randomUUID();
    return { id, name: `User ${id.slice(0, 8)}`, email: `${id}@example.com`, passwordHash: FIXTURE_PASSWORD_HASH };
  });
  await db.insert(users).values(rows);
  return rows.map((r) => r.id);
}

export const NOW = new Date("2030-01-01T12:00:00Z");

export async function makeShow(db: Db, options: { layout?: LayoutSpec; startsAt?: Date; priceCents?: number } = {}) {
  return createShow(db, {
    name: `Show ${randomUUID().slice(0, 8)}`,
    venue: "Test Hall",
    city: "Testville",
    timeZone: "Europe/London",
    startsAt: options.startsAt ?? new Date(NOW.getTime() + 7 * 86_400_000),
    priceCents: options.priceCents ?? 1000,
    currency: "GBP",
    layout: options.layout ?? { kind: "THEATRE", rows: 2, seatsPerRow: 5, aisleAfter: [] },
  });
}

export async function seatIdsByLabel(db: Db, showId: string): Promise<Record<string, number>> {
  const rows = await db.execute<{ id: number; label: string }>(sql`select id::int as id, label from seats where show_id = ${showId}`);
  return Object.fromEntries(rows.map((r) => [r.label, Number(r.id)]));
}

export async function seatRows(db: Db, showId: string) {
  return db.execute<{
    id: number;
    label: string;
    status: string;
    holder_id: string | null;
    booking_id: string | null;
    version: number;
    expires_at: Date | null;
  }>(sql`select id::int as id, label, status, holder_id, booking_id, version, expires_at from seats where show_id = ${showId} order by id`);
}

/** Seats that belong to more than one live booking (HELD and not ended, or CONFIRMED). Must be none. */
export async function seatsInTwoLiveBookings(db: Db, now: Date) {
  return db.execute(sql`
    select bs.seat_id, count(*) from booking_seats bs join bookings b on b.id = bs.booking_id
    where b.status = 'CONFIRMED' or (b.status = 'HELD' and b.expires_at > ${now.toISOString()}::timestamptz)
    group by bs.seat_id having count(*) > 1`);
}

/** Every PENDING/BOOKED seat points at a live-or-confirmed booking that lists it; must be none otherwise. (BLOCKED seats have no booking.) */
export async function inconsistentSeats(db: Db) {
  return db.execute(sql`
    select s.id from seats s
    left join bookings b on b.id = s.booking_id
    left join booking_seats bs on bs.booking_id = s.booking_id and bs.seat_id = s.id
    where s.status in ('PENDING', 'BOOKED') and (
      bs.seat_id is null
      or (s.status = 'BOOKED' and b.status <> 'CONFIRMED')
      or (s.status = 'PENDING' and b.status not in ('HELD', 'EXPIRED'))
      or (s.status = 'PENDING' and s.expires_at <> b.expires_at))`);
}
