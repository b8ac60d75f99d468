import { asc, eq, gt, type SQL, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "~/db/client.server";
import { compileOnce, preparedQuery } from "~/db/one-trip.server";
import { type Show, seats, shows } from "~/db/schema";
import { NotFound } from "./errors";
import { generateSeats, kindOfLayout, type LayoutSpec, seatCount } from "./layouts";
import { showInputSchema } from "./schemas";
import { seatCodeOf, seatIsForSale } from "./seat-state.server";
import { dateIn, zonedTimeToInstant } from "./time";
import { parseOrThrow, requireId } from "./validation";

/**
 * When each seat's time comes. A clinic slot's own time on the show's day in the venue's zone;
 * any other seat, the show's start. A clinic show starts at its first slot.
 */
function seatStarts(layout: LayoutSpec, startsAt: Date, timeZone: string, slots: Array<string | null>): Date[] {
  if (layout.kind !== "DOCTOR") return slots.map(() => startsAt);
  const day = dateIn(startsAt, timeZone);
  return slots.map((slot) => (slot ? zonedTimeToInstant(day, slot, timeZone) : startsAt));
}

/** A PostgreSQL array literal: one parameter however many values (each quoted; null is NULL). */
function pgArray(values: ReadonlyArray<string | number | null>): string {
  return `{${values.map((v) => (v === null ? "NULL" : typeof v === "number" ? String(v) : `"${v.replace(/["\\]/g, "\\$&")}"`)).join(",")}}`;
}

/** Creates a show and all its seats in one transaction: a show never exists without its map. */
export async function createShow(db: Db, input: unknown): Promise<Show> {
  const data = parseOrThrow(showInputSchema, input);
  const placements = generateSeats(data.layout);
  const starts = seatStarts(
    data.layout,
    data.startsAt,
    data.timeZone,
    placements.map((p) => p.slot),
  );
  const startsAt = new Date(starts.reduce((first, s) => Math.min(s.getTime(), first), starts[0]?.getTime() ?? data.startsAt.getTime()));
  const lastStartsAt = new Date(starts.reduce((last, s) => Math.max(s.getTime(), last), startsAt.getTime()));
  return db.transaction(async (tx) => {
    const [show] = await tx
      .insert(shows)
      .values({ ...data, startsAt, lastStartsAt, kind: kindOfLayout(data.layout), totalSeats: seatCount(data.layout) })
      .returning();
    // Every seat in one statement, from one array per column: a 20,000-seat show is one insert,
    // not 240,000 bound parameters. Ids follow layout order (the order of the compact status
    // string), hence `with ordinality … order by`.
    await tx.execute(sql`
      insert into seats (show_id, label, row, col, deck, slot, starts_at)
      select ${show.id}, t.label, t.row, t.col, t.deck, t.slot, t.starts_at
      from unnest(
        ${pgArray(placements.map((p) => p.label))}::text[], ${pgArray(placements.map((p) => p.row))}::int[],
        ${pgArray(placements.map((p) => p.col))}::int[], ${pgArray(placements.map((p) => p.deck))}::text[],
        ${pgArray(placements.map((p) => p.slot))}::text[], ${pgArray(starts.map((d) => d.toISOString()))}::timestamptz[]
      ) with ordinality as t(label, row, col, deck, slot, starts_at, n)
      order by t.n`);
    return show;
  });
}

export interface ShowSummary extends Show {
  seatsLeft: number;
}

/** Shows with a seat whose time has not yet come, soonest first, with how many seats are for sale. */
export async function listUpcomingShows(db: DbOrTx, now: Date): Promise<ShowSummary[]> {
  const rows = await db
    .select({ show: shows, seatsLeft: sql<number>`(count(*) filter (where ${seatIsForSale(now)}))::int` })
    .from(shows)
    .innerJoin(seats, eq(seats.showId, shows.id))
    .where(gt(shows.lastStartsAt, now))
    .groupBy(shows.id)
    .orderBy(asc(shows.startsAt), asc(shows.name));
  return rows.map((r) => ({ ...r.show, seatsLeft: r.seatsLeft }));
}

export async function getShow(db: DbOrTx, showId: string): Promise<Show> {
  const id = requireId(showId, "show");
  const [show] = await db.select().from(shows).where(eq(shows.id, id)).limit(1);
  if (!show) throw new NotFound("There is no such show");
  return show;
}

export interface SeatPlace {
  id: number;
  label: string;
  row: number;
  col: number;
  deck: string | null;
  slot: string | null;
}

/** The seats' places, in id order. They never change after the show is created, so callers cache them. */
export async function getSeatPlaces(db: DbOrTx, showId: string): Promise<SeatPlace[]> {
  return db
    .select({ id: seats.id, label: seats.label, row: seats.row, col: seats.col, deck: seats.deck, slot: seats.slot })
    .from(seats)
    .where(eq(seats.showId, showId))
    .orderBy(asc(seats.id));
}

/** Every seat's code (see SEAT_CODES in seat-state.ts) in id order, as one string. */
function seatCodesOf(showId: SQL | string, viewerId: string | null | SQL, now: Date | SQL) {
  return sql<string>`(select coalesce(string_agg(${seatCodeOf(viewerId, now)}, '' order by ${seats.id}), '')
    from ${seats} where ${seats.showId} = ${showId})`;
}

export async function getSeatCodes(db: DbOrTx, showId: string, viewerId: string | null, now: Date): Promise<string> {
  const [row] = await db.execute<{ codes: string }>(sql`select ${seatCodesOf(showId, viewerId, now)} as codes`);
  return row.codes;
}

/** The seat map page's one read, compiled once: the show's row as JSON and its seats' codes for a viewer. */
const SHOW_WITH_CODES = compileOnce(
  sql`select to_jsonb(shows) as show, ${seatCodesOf(sql`${shows.id}`, sql`${sql.placeholder("viewer")}`, sql`${sql.placeholder("now")}`)} as codes
    from ${shows} where ${shows.id} = ${sql.placeholder("show")}`,
);

/** The show and its seat codes in one round trip: what the seat map page needs on every load. */
export async function getShowWithSeatCodes(
  db: Db,
  showId: string,
  viewerId: string | null,
  now: Date,
): Promise<{ show: Show; codes: string }> {
  const id = requireId(showId, "show");
  const params = SHOW_WITH_CODES.params({ show: id, viewer: viewerId, now: now.toISOString() });
  const [row] = (await preparedQuery(db.$client, { text: SHOW_WITH_CODES.text, params }, db.$stats)) as unknown as Array<{
    show: Record<string, unknown>;
    codes: string;
  }>;
  if (!row) throw new NotFound("There is no such show");
  return { show: showFromRow(row.show), codes: row.codes };
}

/** A show as `to_jsonb(shows)` gives it, in Drizzle's shape. */
function showFromRow(r: Record<string, unknown>): Show {
  return {
    id: String(r.id),
    name: String(r.name),
    kind: r.kind as Show["kind"],
    venue: String(r.venue),
    city: String(r.city),
    timeZone: String(r.time_zone),
    startsAt: new Date(String(r.starts_at)),
    lastStartsAt: new Date(String(r.last_starts_at)),
    priceCents: Number(r.price_cents),
    currency: String(r.currency),
    totalSeats: Number(r.total_seats),
    layout: r.layout as Show["layout"],
    createdAt: new Date(String(r.created_at)),
  };
}

export interface SeatState extends SeatPlace {
  /** PAST: never sold, and its time has come (a clinic slot earlier today). */
  status: "AVAILABLE" | "HELD" | "BOOKED" | "PAST";
}

/** A plain list of every seat with its state (the JSON API's view). */
export async function listSeatStates(db: DbOrTx, showId: string, now: Date): Promise<SeatState[]> {
  const code = seatCodeOf(null, now);
  return db
    .select({
      id: seats.id,
      label: seats.label,
      row: seats.row,
      col: seats.col,
      deck: seats.deck,
      slot: seats.slot,
      status: sql<SeatState["status"]>`case ${code} when 'A' then 'AVAILABLE' when 'B' then 'BOOKED' when 'P' then 'PAST' else 'HELD' end`,
    })
    .from(seats)
    .where(eq(seats.showId, showId))
    .orderBy(asc(seats.id));
}
