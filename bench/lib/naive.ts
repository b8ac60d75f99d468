/**
 * The naive reference's side of the bench (its server is bench/naive/server.ts): its tables in a
 * schema of their own in the bench database, a flat show per cell, its buyers' tokens, and its
 * invariant checked in SQL.
 */
import { SignJWT } from "jose";
import type postgres from "postgres";
import type { SeenHold, Violations } from "./invariants";
import { type ServerProcess, spawnServer } from "./server";

export const NAIVE_SECRET = "holdfast-benchmark-naive-jwt-secret-0123456789";

/** The tables as a first version would have them: plain, one index for the show's seats. */
export async function createNaiveSchema(sql: postgres.Sql): Promise<void> {
  await sql.unsafe(`
    create schema naive;
    create table naive.seats (
      id bigserial primary key, show_id uuid not null, label text not null, status text not null default 'AVAILABLE',
      holder_id uuid, booking_id uuid, expires_at timestamptz);
    create index seats_show_id_idx on naive.seats (show_id);
    create table naive.bookings (
      id uuid primary key default gen_random_uuid(), user_id uuid not null, show_id uuid not null,
      created_at timestamptz not null default now(), expires_at timestamptz not null);`);
}

export function startNaiveServer(databaseUrl: string): Promise<ServerProcess> {
  return spawnServer(["--import", "tsx", "bench/naive/server.ts"], { DATABASE_URL: databaseUrl, JWT_SECRET: NAIVE_SECRET });
}

/** A bearer token per buyer, signed as the naive server expects (HS256, the subject the user's id). */
export async function naiveTokens(userIds: string[]): Promise<Map<string, string>> {
  const key = new TextEncoder().encode(NAIVE_SECRET);
  const tokens = new Map<string, string>();
  for (const id of userIds) {
    tokens.set(id, await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(id).setExpirationTime("2h").sign(key));
  }
  return tokens;
}

/**
 * A fresh flat show of rows × seatsPerRow seats, in one statement; its seat ids in order. Then
 * ANALYZE, as Holdfast analyses a big show it creates (unless the run is --never-analysed): with
 * statistics that predate the new show, the planner took its show_id for a rare value and read
 * all 20,000 of its seats by seats_show_id_idx for every hold (2.3–2.5 ms of PostgreSQL CPU per
 * request in a full run's later rounds, against 0.3–0.4 ms in its first), so the reference was
 * measured at its worst rather than as written.
 */
export async function makeNaiveShow(
  sql: postgres.Sql,
  rows: number,
  seatsPerRow: number,
  analyse = true,
): Promise<{ id: string; seatIds: number[] }> {
  const [{ id }] = await sql<{ id: string }[]>`select gen_random_uuid() as id`;
  const seats = await sql<{ id: string }[]>`
    insert into naive.seats (show_id, label, status)
    select ${id}, 'R' || (g / ${seatsPerRow} + 1) || '-' || (g % ${seatsPerRow} + 1), 'AVAILABLE'
    from generate_series(0, ${rows * seatsPerRow - 1}) g
    returning id`;
  if (analyse) await sql`analyze naive.seats`;
  return { id, seatIds: seats.map((s) => Number(s.id)).sort((a, b) => a - b) };
}

/**
 * The same promise as Holdfast's, for the naive tables: no seat was told held to two bookings, and
 * every 201 answer's booking is stored for that buyer and holds exactly the seats it was given.
 */
export async function checkNaiveInvariants(sql: postgres.Sql, showId: string, seen: SeenHold[]): Promise<Violations> {
  const claims = seen.flatMap((s) => s.seatIds.map((seatId) => ({ ...s, seatId })));
  const claimed = sql`
    select * from unnest(${claims.map((c) => c.bookingId)}::uuid[], ${claims.map((c) => c.userId)}::uuid[], ${claims.map((c) => c.seatId)}::bigint[])
      as c(booking_id, user_id, seat_id)`;
  const [counts] = await sql<Array<Omit<Violations, "examples">>>`
    with claims as (${claimed})
    select
      (select count(*) from (select seat_id from claims group by seat_id having count(distinct booking_id) > 1) d)::int as "seatsInTwoLiveBookings",
      (select count(*) from naive.seats s where s.show_id = ${showId} and s.status = 'PENDING'
         and not exists (select from naive.bookings b where b.id = s.booking_id and b.user_id = s.holder_id))::int as "inconsistentSeats",
      (select count(distinct c.booking_id) from claims c where not exists (select from naive.bookings b where b.id = c.booking_id))::int as "missingHolds",
      (select count(distinct c.booking_id) from claims c join naive.bookings b on b.id = c.booking_id where b.user_id <> c.user_id)::int as "wrongHolder",
      (select count(distinct w.booking_id) from (
         select c.booking_id from claims c left join naive.seats s on s.id = c.seat_id and s.show_id = ${showId}
         where s.id is null or s.status <> 'PENDING' or s.booking_id is distinct from c.booking_id
         union all
         select s.booking_id from naive.seats s where s.show_id = ${showId} and s.booking_id in (select booking_id from claims)
           and not exists (select from claims c where c.booking_id = s.booking_id and c.seat_id = s.id)) w)::int as "wrongSeats"`;
  const examples = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([what, n]) => `naive: ${n} ${what}`);
  return { ...counts, examples };
}
