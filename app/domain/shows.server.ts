import { and, asc, eq, gt, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "~/db/client.server";
import { compileOnce, placeholders, preparedQuery } from "~/db/one-trip.server";
import { rowMapper } from "~/db/rows.server";
import { bookings, priceZones, type Show, seats, shows } from "~/db/schema";
import { cursorOf, readCursor } from "./cursor";
import { NotFound, ValidationFailed } from "./errors";
import { generateSeats, kindOfLayout, type LayoutSpec, seatCount } from "./layouts";
import { type BrowseQuery, browseQuerySchema, showInputSchema, showListQuerySchema } from "./schemas";
import { SEAT_CODES, type SeatCode, STATUS_OF_SEAT_CODE, type StoredSeatStatus } from "./seat-state";
import { seatCodeOf, seatIsForSale } from "./seat-state.server";
import { parseSelection } from "./selection";
import { dateIn, zonedTimeToInstant } from "./time";
import { isUuid, parseOrThrow, requireId } from "./validation";

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

/** A show of at least this many seats is a bulk write: the seats' statistics are refreshed after it (see createShow). */
export const ANALYSE_AFTER_SEATS = 1000;

/**
 * Creates a show, its price zones and all its seats in one transaction: a show never exists
 * without its map. Every seat is in a zone: its section's, or the first. The show's first seat
 * must start after `now` (a clinic day: its last slot). `analyse: false` leaves the statistics
 * alone (the benchmark's run on tables never analysed).
 */
export async function createShow(db: Db, input: unknown, now: Date = new Date(), options: { analyse?: boolean } = {}): Promise<Show> {
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
  if ((data.layout.kind === "DOCTOR" ? lastStartsAt : startsAt) <= now) {
    throw new ValidationFailed({ startsAt: "The start time must be in the future" });
  }
  const zoneOf = new Map(data.priceZones.map((z, i) => [z.name.toLowerCase(), i]));
  // The show's own facts as they came; the zones are rows of their own, the times the seats'.
  const { priceZones: _zones, startsAt: _asked, ...facts } = data;
  const created = await db.transaction(async (tx) => {
    const [show] = await tx
      .insert(shows)
      .values({
        ...facts,
        priceCents: Math.min(...data.priceZones.map((z) => z.priceCents)),
        startsAt,
        lastStartsAt,
        kind: kindOfLayout(data.layout),
        totalSeats: seatCount(data.layout),
      })
      .returning();
    const zones = await tx
      .insert(priceZones)
      .values(data.priceZones.map((z, position) => ({ showId: show.id, position, name: z.name, priceCents: z.priceCents })))
      .returning({ id: priceZones.id, position: priceZones.position });
    const zoneIds = zones.sort((a, b) => a.position - b.position).map((z) => z.id);
    // Every seat in one statement, from one array per column: a 20,000-seat show is one insert,
    // not 240,000 bound parameters. Ids follow layout order (the order of the compact status
    // string), hence `with ordinality … order by`.
    await tx.execute(sql`
      insert into seats (show_id, label, row, col, deck, slot, section, zone_id, starts_at)
      select ${show.id}, t.label, t.row, t.col, t.deck, t.slot, t.section, t.zone_id, t.starts_at
      from unnest(
        ${pgArray(placements.map((p) => p.label))}::text[], ${pgArray(placements.map((p) => p.row))}::int[],
        ${pgArray(placements.map((p) => p.col))}::int[], ${pgArray(placements.map((p) => p.deck))}::text[],
        ${pgArray(placements.map((p) => p.slot))}::text[], ${pgArray(placements.map((p) => p.section ?? null))}::text[],
        ${pgArray(placements.map((p) => zoneIds[p.zone === undefined ? 0 : (zoneOf.get(p.zone.toLowerCase()) ?? 0)]))}::uuid[],
        ${pgArray(starts.map((d) => d.toISOString()))}::timestamptz[]
      ) with ordinality as t(label, row, col, deck, slot, section, zone_id, starts_at, n)
      order by t.n`);
    return show;
  });
  // A big show adds its seats in one go: the planner is told at once (autovacuum would take its
  // time, or be off), so no page's plan waits on luck. ANALYZE samples a fixed number of rows
  // whatever the table's size, and blocks no reader or writer.
  if ((options.analyse ?? true) && placements.length >= ANALYSE_AFTER_SEATS) await db.execute(sql`analyze seats`);
  return created;
}

export interface ShowSummary extends Show {
  seatsLeft: number;
}

/** Shows with a seat whose time has not yet come, soonest first, with how many seats are for sale. */
export async function listUpcomingShows(db: DbOrTx, now: Date, filter: BrowseQuery = {}): Promise<ShowSummary[]> {
  const conditions: SQL[] = [gt(shows.lastStartsAt, now), isNull(shows.cancelledAt)];
  if (filter.kind) conditions.push(eq(shows.kind, filter.kind));
  if (filter.city) conditions.push(sql`lower(${shows.city}) = lower(${filter.city})`);
  // On or after the day, in the venue's own calendar.
  if (filter.from) conditions.push(sql`(${shows.lastStartsAt} at time zone ${shows.timeZone})::date >= ${filter.from}::date`);
  const rows = await db
    .select({ show: shows, seatsLeft: sql<number>`(count(*) filter (where ${seatIsForSale(now)}))::int` })
    .from(shows)
    .innerJoin(seats, eq(seats.showId, shows.id))
    .where(and(...conditions))
    .groupBy(shows.id)
    .orderBy(asc(shows.startsAt), asc(shows.name));
  return rows.map((r) => ({ ...r.show, seatsLeft: r.seatsLeft }));
}

/**
 * The shows page: upcoming shows that match the filters (kind, city, on or after a day), and the
 * cities there is anything upcoming in, for the filter's list. Bad filters are a ValidationFailed.
 */
export async function browseShows(db: DbOrTx, query: unknown, now: Date) {
  const filter = parseOrThrow(browseQuerySchema, query ?? {});
  const [list, cityRows] = await Promise.all([
    listUpcomingShows(db, now, filter),
    db
      .selectDistinct({ city: shows.city })
      .from(shows)
      .where(and(gt(shows.lastStartsAt, now), isNull(shows.cancelledAt)))
      .orderBy(asc(shows.city)),
  ]);
  return { shows: list, cities: cityRows.map((r) => r.city), filter };
}

export async function getShow(db: DbOrTx, showId: string): Promise<Show> {
  const id = requireId(showId, "show");
  const [show] = await db.select().from(shows).where(eq(shows.id, id)).limit(1);
  if (!show) throw new NotFound("There is no such show");
  return show;
}

/**
 * The show's name and the labels of the given seats of it (in seat order), for "Log in to hold
 * Stalls F7 and F8 for Hamlet". Ids of other shows or of no seat are left out; null when the show
 * does not exist or none of the seats is in it.
 */
export async function describeSeats(
  db: DbOrTx,
  showId: string,
  seatIds: ReadonlyArray<string>,
): Promise<{ showName: string; labels: string[] } | null> {
  if (!isUuid(showId) || seatIds.length === 0) return null;
  const rows = await db
    .select({ showName: shows.name, label: seats.label })
    .from(seats)
    .innerJoin(shows, eq(shows.id, seats.showId))
    .where(and(eq(seats.showId, showId), inArray(seats.id, seatIds.map(Number))))
    .orderBy(asc(seats.id));
  return rows.length ? { showName: rows[0].showName, labels: rows.map((r) => r.label) } : null;
}

/** The show and seats a log-in's `redirectTo` carries (domain/selection.ts), described; or null. */
export async function describeSelection(db: DbOrTx, redirectTo: string | null | undefined) {
  const selection = parseSelection(redirectTo);
  return selection ? describeSeats(db, selection.showId, selection.seatIds) : null;
}

export interface SeatPlace {
  id: number;
  label: string;
  row: number;
  col: number;
  deck: string | null;
  slot: string | null;
  section: string | null;
  /** The seat's price zone, by its position among the show's zones (0 first). */
  zone: number;
}

/** The seats' places, in id order. They never change after the show is created, so callers cache them. */
export async function getSeatPlaces(db: DbOrTx, showId: string): Promise<SeatPlace[]> {
  return db
    .select({
      id: seats.id,
      label: seats.label,
      row: seats.row,
      col: seats.col,
      deck: seats.deck,
      slot: seats.slot,
      section: seats.section,
      zone: priceZones.position,
    })
    .from(seats)
    .innerJoin(priceZones, eq(priceZones.id, seats.zoneId))
    .where(eq(seats.showId, showId))
    .orderBy(asc(seats.id));
}

export interface ZoneView {
  name: string;
  priceCents: number;
}

/** A show's price zones in their order. */
export async function getPriceZones(db: DbOrTx, showId: string): Promise<ZoneView[]> {
  return db
    .select({ name: priceZones.name, priceCents: priceZones.priceCents })
    .from(priceZones)
    .where(eq(priceZones.showId, showId))
    .orderBy(asc(priceZones.position));
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

/** The values of the show reads below, by name: the show, the viewer (null: nobody signed in), now. */
const P = placeholders("show", "viewer", "now");

/** The seat map page's one read, compiled once: the show's row as JSON and its seats' codes for a viewer. */
const SHOW_WITH_CODES = compileOnce(
  sql`select to_jsonb(shows) as show, ${seatCodesOf(sql`${shows.id}`, P.viewer, P.now)} as codes,
      (select json_agg(json_build_object('name', z.name, 'priceCents', z.price_cents) order by z.position)
       from ${priceZones} z where z.show_id = ${shows.id}) as zones
    from ${shows} where ${shows.id} = ${P.show}`,
);

/** The show and its seat codes in one round trip: what the seat map page needs on every load. */
/**
 * The viewer's own live held seats of a show: found through their bookings (few, by index), never
 * by reading the show's seats, so the cost does not grow with the venue.
 */
const VIEWER_HELD_SEATS = compileOnce(
  sql`select ${seats.id}::int as id from ${bookings} b join ${seats} on ${seats.bookingId} = b.id
    where b.user_id = ${P.viewer} and b.show_id = ${P.show} and b.status = 'HELD'
      and ${seatCodeOf(P.viewer, P.now)} = ${sql.raw(`'${SEAT_CODES.yours}'`)}`,
);

/** The ids of the seats a viewer holds (their "yours") in a show, right now. */
export async function getViewerHeldSeatIds(db: Db, showId: string, viewerId: string, now: Date): Promise<number[]> {
  const params = VIEWER_HELD_SEATS.params({ show: showId, viewer: viewerId, now: now.toISOString() });
  const rows = (await preparedQuery(db.$client, { text: VIEWER_HELD_SEATS.text, params }, db.$stats)) as unknown as Array<{ id: number }>;
  return rows.map((r) => r.id);
}

/** Whether a show exists; false for an id that is not a UUID (never a 500). */
export async function showExists(db: DbOrTx, showId: string): Promise<boolean> {
  if (!isUuid(showId)) return false;
  const rows = await db.select({ id: shows.id }).from(shows).where(eq(shows.id, showId)).limit(1);
  return rows.length > 0;
}

/** Why a show's seats can no longer be held (cancelled, or started), or null while they can. */
export function saleClosed(show: Pick<Show, "cancelledAt" | "lastStartsAt">, now: Date): string | null {
  if (show.cancelledAt) return "This show was cancelled; its seats can no longer be held.";
  if (show.lastStartsAt <= now) return "This show has started; its seats can no longer be held.";
  return null;
}

export async function getShowWithSeatCodes(
  db: Db,
  showId: string,
  viewerId: string | null,
  now: Date,
): Promise<{ show: Show; codes: string; zones: ZoneView[] }> {
  const id = requireId(showId, "show");
  const params = SHOW_WITH_CODES.params({ show: id, viewer: viewerId, now: now.toISOString() });
  const [row] = (await preparedQuery(db.$client, { text: SHOW_WITH_CODES.text, params }, db.$stats)) as unknown as Array<{
    show: Record<string, unknown>;
    codes: string;
    zones: ZoneView[] | null;
  }>;
  if (!row) throw new NotFound("There is no such show");
  return { show: showFromRow(row.show), codes: row.codes, zones: row.zones ?? [] };
}

/** A show as `to_jsonb(shows)` gives it, in Drizzle's shape. */
const showFromRow = rowMapper(shows);

export interface SeatView extends SeatPlace {
  status: StoredSeatStatus;
  /** Held or booked by the viewer. Whose any other seat is, only an admin sees (dashboard.server.ts). */
  mine: boolean;
}

/** The API's show read, compiled once: the show, its zones, and each seat as a compact array, in one round trip. */
const SHOW_SEATS = compileOnce(
  sql`select to_jsonb(shows) as show,
      (select json_agg(json_build_object('name', z.name, 'priceCents', z.price_cents) order by z.position)
       from ${priceZones} z where z.show_id = ${shows.id}) as zones,
      (select json_agg(json_build_array(${seats.id}, ${seats.label}, ${seats.section}, ${seats.row}, ${seats.col}, ${seats.deck}, ${seats.slot},
          z.position, ${seatCodeOf(P.viewer, P.now)},
          coalesce(${seats.holderId} = ${P.viewer}::uuid, false)) order by ${seats.id})
       from ${seats} join ${priceZones} z on z.id = ${seats.zoneId} where ${seats.showId} = ${shows.id}) as seats
    from ${shows} where ${shows.id} = ${P.show}`,
);

type SeatTuple = [number, string, string | null, number, number, string | null, string | null, number, SeatCode, boolean];

/**
 * A show, its zones and every seat's state for a viewer (null: nobody signed in), in the API's
 * words (STATUS_OF_SEAT_CODE in seat-state.ts), in one round trip.
 */
export async function getShowSeats(
  db: Db,
  showId: string,
  viewerId: string | null,
  now: Date,
): Promise<{ show: Show; zones: ZoneView[]; seats: SeatView[] }> {
  const id = requireId(showId, "show");
  const params = SHOW_SEATS.params({ show: id, viewer: viewerId, now: now.toISOString() });
  const [row] = (await preparedQuery(db.$client, { text: SHOW_SEATS.text, params }, db.$stats)) as unknown as Array<{
    show: Record<string, unknown>;
    zones: ZoneView[] | null;
    seats: SeatTuple[] | null;
  }>;
  if (!row) throw new NotFound("There is no such show");
  const seatViews: SeatView[] = (row.seats ?? []).map(([seatId, label, section, r, col, deck, slot, zone, code, holderIsViewer]) => ({
    id: seatId,
    label,
    section,
    row: r,
    col,
    deck,
    slot,
    zone,
    status: STATUS_OF_SEAT_CODE[code],
    mine: code === SEAT_CODES.yours || (code === SEAT_CODES.booked && holderIsViewer),
  }));
  return { show: showFromRow(row.show), zones: row.zones ?? [], seats: seatViews };
}

export interface ShowListing extends Show {
  zones: ZoneView[];
  /** Seats a buyer could hold now. */
  availableSeats: number;
}

/** Shows with their zones and seats for sale, soonest first. */
async function selectListings(db: DbOrTx, conditions: SQL[], now: Date, limit: number) {
  return db
    .select({
      show: shows,
      // Spelled out: in a one-table select Drizzle leaves columns unqualified, and "id" would be the seat's.
      availableSeats: sql<number>`(select count(*) from seats where seats.show_id = "shows"."id" and ${seatIsForSale(now)})::int`,
      zones: sql<ZoneView[]>`(select json_agg(json_build_object('name', z.name, 'priceCents', z.price_cents) order by z.position)
        from price_zones z where z.show_id = "shows"."id")`,
    })
    .from(shows)
    .where(and(...conditions))
    .orderBy(asc(shows.startsAt), asc(shows.id))
    .limit(limit);
}

/** One show as the list shows it. */
export async function getShowListing(db: DbOrTx, showId: string, now: Date): Promise<ShowListing> {
  const [row] = await selectListings(db, [eq(shows.id, requireId(showId, "show"))], now, 1);
  if (!row) throw new NotFound("There is no such show");
  return { ...row.show, zones: row.zones ?? [], availableSeats: row.availableSeats };
}

/**
 * Upcoming shows (a seat whose time has not come, not cancelled), soonest first, a page at a
 * time. Pages are keyed on (start, id), so a show added or sold out between two pages never makes
 * the next page skip or repeat one.
 */
export async function listShowsPage(db: DbOrTx, query: unknown, now: Date): Promise<{ shows: ShowListing[]; nextCursor: string | null }> {
  const q = parseOrThrow(showListQuerySchema, query ?? {});
  const after = q.cursor === undefined ? undefined : readCursor(q.cursor);
  const conditions: SQL[] = [gt(shows.lastStartsAt, now), isNull(shows.cancelledAt)];
  if (q.kind) conditions.push(eq(shows.kind, q.kind));
  if (q.city) conditions.push(sql`lower(${shows.city}) = lower(${q.city})`);
  if (q.from) conditions.push(sql`${shows.startsAt} >= ${q.from}::timestamptz`);
  if (q.to) conditions.push(sql`${shows.startsAt} < ${q.to}::timestamptz`);
  if (after) conditions.push(sql`(${shows.startsAt}, ${shows.id}) > (${after.at}::timestamptz, ${after.id}::uuid)`);
  const rows = await selectListings(db, conditions, now, q.limit + 1);
  const page = rows.slice(0, q.limit).map((r) => ({ ...r.show, zones: r.zones ?? [], availableSeats: r.availableSeats }));
  return { shows: page, nextCursor: rows.length > q.limit ? cursorOf(page[page.length - 1].startsAt, page[page.length - 1].id) : null };
}
