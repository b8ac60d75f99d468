/**
 * What admins read: the dashboard's totals and sales, a show's seats with who holds them, its
 * audit trail. Reads only; each function refuses a non-admin (the second line behind the routes).
 */
import { desc, eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "~/db/client.server";
import { bookings, type Show, salesPerMinute, seats } from "~/db/schema";
import { hasHoldEnded } from "./seat-state";
import { holdIsLive, seatHasStarted, seatIsForSale, seatIsFree, seatIsHeld, timeIsUp } from "./seat-state.server";
import { type Actor, assertAdmin } from "./show-admin.server";
import { getPriceZones, getShow, type ZoneView } from "./shows.server";
import { requireId } from "./validation";

const at = (now: Date) => sql`${now.toISOString()}::timestamptz`;
/** The statements' seats and bookings aliases (`seats s`, `bookings b`), for the rules' SQL twins. */
const s = alias(seats, "s");
const b = alias(bookings, "b");

export interface SeatCounts {
  available: number;
  held: number;
  booked: number;
  blocked: number;
  past: number;
}

export interface ShowSales extends SeatCounts {
  id: string;
  name: string;
  kind: Show["kind"];
  venue: string;
  startsAt: Date;
  timeZone: string;
  currency: string;
  totalSeats: number;
  takingsCents: number;
  cancelled: boolean;
  /** Seats checked in at the door (of `booked`, the seats expected). */
  checkedIn: number;
}

/** Per-seat counts by what a buyer would see (the same rules as the seat map: see seat-state.ts). */
const countsSql = (now: Date) => sql`
  count(*) filter (where ${seatIsForSale(now, s)})::int as available,
  count(*) filter (where ${seatIsHeld(now, s)})::int as held,
  count(*) filter (where s.status = 'BOOKED')::int as booked,
  count(*) filter (where s.status = 'BLOCKED')::int as blocked,
  count(*) filter (where ${seatIsFree(now, s)} and ${seatHasStarted(now, s)})::int as past`;

export interface Dashboard {
  totals: { upcomingShows: number; seatsSold: number; revenueCents: Record<string, number>; liveHolds: number };
  shows: ShowSales[];
  endingSoon: Array<{
    reference: string;
    showName: string;
    seats: number;
    expiresAt: Date;
    holder: string;
    bookingId: string;
    showId: string;
  }>;
  latest: Array<{
    reference: string;
    showName: string;
    status: string;
    amountCents: number;
    currency: string;
    createdAt: Date;
    holder: string;
    showId: string;
  }>;
}

export async function getDashboard(db: Db, actor: Actor, now: Date = new Date(), soonMinutes = 5): Promise<Dashboard> {
  assertAdmin(actor);
  const shows = await db.execute<Record<string, unknown>>(sql`
    select sh.id, sh.name, sh.kind, sh.venue, sh.starts_at, sh.time_zone, sh.currency, sh.total_seats, sh.cancelled_at is not null as cancelled,
      ${countsSql(now)},
      -- What the show's paid bookings are worth now: what was charged, less what the venue refunded of them.
      coalesce((select sum(b.amount_cents) from bookings b where b.show_id = sh.id and b.status = 'CONFIRMED'), 0)::int as takings_cents,
      (select count(*) from check_ins c where c.show_id = sh.id)::int as checked_in
    from shows sh join seats s on s.show_id = sh.id
    where sh.last_starts_at > ${at(now)}
    group by sh.id order by sh.starts_at, sh.name`);
  const [totals] = await db.execute<{ live_holds: number; seats_sold: number }>(sql`
    select (select count(*) from ${bookings} where ${holdIsLive(now)})::int as live_holds,
      (select count(*) from seats s join shows sh on sh.id = s.show_id where s.status = 'BOOKED' and sh.last_starts_at > ${at(now)})::int as seats_sold`);
  const revenue = await db.execute<{ currency: string; cents: number }>(sql`
    select currency, sum(amount_cents)::int as cents from bookings where status = 'CONFIRMED' group by currency order by currency`);
  const endingSoon = await db.execute<Record<string, unknown>>(sql`
    select b.id, b.reference, b.seat_count, b.expires_at, b.show_id, sh.name as show_name, u.name as holder
    from bookings b join shows sh on sh.id = b.show_id join users u on u.id = b.user_id
    where ${holdIsLive(now, b)} and ${timeIsUp(b.expiresAt, new Date(now.getTime() + soonMinutes * 60_000))}
    order by b.expires_at limit 20`);
  const latest = await db.execute<Record<string, unknown>>(sql`
    select b.reference, b.status, b.amount_cents, b.currency, b.created_at, b.show_id, sh.name as show_name, u.name as holder, b.expires_at
    from bookings b join shows sh on sh.id = b.show_id join users u on u.id = b.user_id
    order by b.created_at desc limit 10`);
  const salesRows = shows.map(salesOf);
  return {
    totals: {
      upcomingShows: salesRows.filter((s) => !s.cancelled).length,
      seatsSold: totals.seats_sold,
      revenueCents: Object.fromEntries(revenue.map((r) => [r.currency, r.cents])),
      liveHolds: totals.live_holds,
    },
    shows: salesRows,
    endingSoon: endingSoon.map((r) => ({
      bookingId: String(r.id),
      reference: String(r.reference),
      showId: String(r.show_id),
      showName: String(r.show_name),
      seats: Number(r.seat_count),
      expiresAt: new Date(String(r.expires_at)),
      holder: String(r.holder),
    })),
    latest: latest.map((r) => ({
      reference: String(r.reference),
      showId: String(r.show_id),
      showName: String(r.show_name),
      // What a person sees: a hold whose time is up is EXPIRED whether or not the sweeper has run.
      status: hasHoldEnded({ status: String(r.status), expiresAt: new Date(String(r.expires_at)) }, now) ? "EXPIRED" : String(r.status),
      amountCents: Number(r.amount_cents),
      currency: String(r.currency),
      createdAt: new Date(String(r.created_at)),
      holder: String(r.holder),
    })),
  };
}

function salesOf(r: Record<string, unknown>): ShowSales {
  return {
    id: String(r.id),
    name: String(r.name),
    kind: r.kind as Show["kind"],
    venue: String(r.venue),
    startsAt: new Date(String(r.starts_at)),
    timeZone: String(r.time_zone),
    currency: String(r.currency),
    totalSeats: Number(r.total_seats),
    cancelled: Boolean(r.cancelled),
    available: Number(r.available),
    held: Number(r.held),
    booked: Number(r.booked),
    blocked: Number(r.blocked),
    past: Number(r.past),
    takingsCents: Number(r.takings_cents),
    checkedIn: Number(r.checked_in),
  };
}

export interface HolderInfo {
  seatId: number;
  status: "HELD" | "BOOKED";
  reference: string;
  name: string;
  email: string;
  expiresAt: Date | null;
}

export interface AuditRow {
  id: number;
  at: Date;
  action: string;
  actor: string | null;
  seats: string[];
  reference: string | null;
  details: Record<string, unknown> | null;
}

export interface AdminShow {
  show: Show;
  zones: ZoneView[];
  counts: SeatCounts;
  takingsCents: number;
  holders: HolderInfo[];
  audit: AuditRow[];
  bookings: number;
  /** Sales per minute (the analytics consumer's table, app/events/), newest first: the last 30 minutes that had any. */
  salesByMinute: Array<{ minute: Date; seatsSold: number; revenueCents: number; seatsCancelled: number }>;
}

/** A show as its admin page shows it: counts, who holds each taken seat, and the audit trail (newest first, or about one seat). */
export async function getShowForAdmin(
  db: Db,
  actor: Actor,
  showId: string,
  options: { now?: Date; seat?: string } = {},
): Promise<AdminShow> {
  assertAdmin(actor);
  const now = options.now ?? new Date();
  const id = requireId(showId, "show");
  const show = await getShow(db, id);
  const [counts] = await db.execute<Record<string, unknown>>(sql`
    select ${countsSql(now)},
      coalesce((select sum(b.amount_cents) from bookings b where b.show_id = ${id} and b.status = 'CONFIRMED'), 0)::int as takings_cents,
      (select count(*) from bookings where show_id = ${id})::int as bookings
    from seats s where s.show_id = ${id}`);
  const zones = await getPriceZones(db, id);
  const holders = await db.execute<Record<string, unknown>>(sql`
    select s.id, s.status, s.expires_at, b.reference, u.name, u.email
    from seats s join bookings b on b.id = s.booking_id join users u on u.id = s.holder_id
    where s.show_id = ${id} and (s.status = 'BOOKED' or ${seatIsHeld(now, s)})
    order by s.id`);
  const seat = options.seat?.trim().slice(0, 60);
  const audit = await db.execute<Record<string, unknown>>(sql`
    select id, at, action, actor_name, seat_labels, booking_reference, details from audit_log
    where show_id = ${id} ${seat ? sql`and seat_labels @> array[${seat}]::text[]` : sql``}
    order by at desc, id desc limit 200`);
  const sales = await db.select().from(salesPerMinute).where(eq(salesPerMinute.showId, id)).orderBy(desc(salesPerMinute.minute)).limit(30);
  return {
    show,
    zones,
    salesByMinute: sales.map(({ minute, seatsSold, revenueCents, seatsCancelled }) => ({
      minute,
      seatsSold,
      revenueCents,
      seatsCancelled,
    })),
    counts: {
      available: Number(counts.available),
      held: Number(counts.held),
      booked: Number(counts.booked),
      blocked: Number(counts.blocked),
      past: Number(counts.past),
    },
    takingsCents: Number(counts.takings_cents),
    bookings: Number(counts.bookings),
    holders: holders.map((h) => ({
      seatId: Number(h.id),
      status: h.status === "BOOKED" ? "BOOKED" : "HELD",
      reference: String(h.reference),
      name: String(h.name),
      email: String(h.email),
      expiresAt: h.expires_at ? new Date(String(h.expires_at)) : null,
    })),
    audit: audit.map((a) => ({
      id: Number(a.id),
      at: new Date(String(a.at)),
      action: String(a.action),
      actor: a.actor_name === null ? null : String(a.actor_name),
      seats: (a.seat_labels as string[] | null) ?? [],
      reference: a.booking_reference === null ? null : String(a.booking_reference),
      details: (a.details as Record<string, unknown> | null) ?? null,
    })),
  };
}

export interface ShowListRow {
  id: string;
  name: string;
  kind: Show["kind"];
  venue: string;
  city: string;
  startsAt: Date;
  timeZone: string;
  totalSeats: number;
  cancelled: boolean;
  past: boolean;
}

/** Every show, upcoming first (soonest first), then past ones (latest first). */
export async function listShowsForAdmin(db: Db, actor: Actor, now: Date = new Date()): Promise<ShowListRow[]> {
  assertAdmin(actor);
  const rows = await db.execute<Record<string, unknown>>(sql`
    select id, name, kind, venue, city, starts_at, time_zone, total_seats, cancelled_at is not null as cancelled, last_starts_at <= ${at(now)} as past
    from shows order by last_starts_at <= ${at(now)}, case when last_starts_at > ${at(now)} then starts_at end, starts_at desc limit 500`);
  return rows.map((r) => ({
    id: String(r.id),
    name: String(r.name),
    kind: r.kind as Show["kind"],
    venue: String(r.venue),
    city: String(r.city),
    startsAt: new Date(String(r.starts_at)),
    timeZone: String(r.time_zone),
    totalSeats: Number(r.total_seats),
    cancelled: Boolean(r.cancelled),
    past: Boolean(r.past),
  }));
}
