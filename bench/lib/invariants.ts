/**
 * The promise, checked in SQL after a load: no seat in two live bookings, and every hold a client
 * was told had succeeded is in the database, for that client, with exactly the seats it asked for.
 */
import { sql } from "drizzle-orm";
import type { Db } from "~/db/client.server";

export interface SeenHold {
  bookingId: string;
  userId: string;
  seatIds: number[];
}

export interface Violations {
  seatsInTwoLiveBookings: number;
  inconsistentSeats: number;
  missingHolds: number;
  wrongHolder: number;
  wrongSeats: number;
  examples: string[];
}

export const violationCount = (v: Violations) =>
  v.seatsInTwoLiveBookings + v.inconsistentSeats + v.missingHolds + v.wrongHolder + v.wrongSeats;

export async function checkInvariants(db: Db, showId: string, seen: SeenHold[], now: Date = new Date()): Promise<Violations> {
  const examples: string[] = [];
  const doubled = await db.execute<{ seat_id: string; n: number }>(sql`
    select bs.seat_id, count(*)::int as n from booking_seats bs join bookings b on b.id = bs.booking_id
    where b.show_id = ${showId}
      and (b.status = 'CONFIRMED' or (b.status = 'HELD' and b.expires_at > ${now.toISOString()}::timestamptz))
    group by bs.seat_id having count(*) > 1`);
  for (const r of doubled.slice(0, 3)) examples.push(`seat ${r.seat_id} is in ${r.n} live bookings`);
  const inconsistent = await db.execute<{ id: string }>(sql`
    select s.id from seats s
    left join bookings b on b.id = s.booking_id
    left join booking_seats bs on bs.booking_id = s.booking_id and bs.seat_id = s.id
    where s.show_id = ${showId} and s.status in ('PENDING', 'BOOKED') and (
      bs.seat_id is null
      or (s.status = 'BOOKED' and b.status <> 'CONFIRMED')
      or (s.status = 'PENDING' and b.status not in ('HELD', 'EXPIRED'))
      or s.holder_id <> b.user_id)`);
  for (const r of inconsistent.slice(0, 3)) examples.push(`seat ${r.id} disagrees with its booking`);

  let missingHolds = 0;
  let wrongHolder = 0;
  let wrongSeats = 0;
  const ids = seen.map((s) => s.bookingId);
  const stored = new Map<string, { userId: string; seats: number[] }>();
  for (let i = 0; i < ids.length; i += 5000) {
    const chunk = ids.slice(i, i + 5000);
    const rows = await db.execute<{ id: string; user_id: string; seats: string[] }>(sql`
      select b.id, b.user_id, array_agg(bs.seat_id order by bs.seat_id)::text[] as seats
      from bookings b join booking_seats bs on bs.booking_id = b.id
      where b.id = any(${`{${chunk.join(",")}}`}::uuid[]) group by b.id`);
    for (const r of rows) stored.set(r.id, { userId: r.user_id, seats: r.seats.map(Number) });
  }
  for (const hold of seen) {
    const row = stored.get(hold.bookingId);
    if (!row) {
      missingHolds++;
      if (examples.length < 6) examples.push(`booking ${hold.bookingId} was reported held but is not stored`);
    } else if (row.userId !== hold.userId) {
      wrongHolder++;
      if (examples.length < 6) examples.push(`booking ${hold.bookingId} belongs to someone else`);
    } else if (row.seats.join(",") !== [...hold.seatIds].sort((a, b) => a - b).join(",")) {
      wrongSeats++;
      if (examples.length < 6) examples.push(`booking ${hold.bookingId} has other seats than were asked for`);
    }
  }
  return {
    seatsInTwoLiveBookings: doubled.length,
    inconsistentSeats: inconsistent.length,
    missingHolds,
    wrongHolder,
    wrongSeats,
    examples,
  };
}
