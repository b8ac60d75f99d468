import { and, asc, eq, gt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx } from "~/db/client.server";
import { seats, shows, type Show } from "~/db/schema";
import { NotFound } from "./errors";
import { generateSeats, kindOfLayout, layoutSpecSchema, seatCount } from "./layouts";
import { NO_CONTROL_CHARACTERS, parseOrThrow } from "./users.server";

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const showInputSchema = z.object({
  name: z.string().trim().min(1, "Name is required").max(200, "Name must be at most 200 characters").regex(NO_CONTROL_CHARACTERS, "Name cannot contain control characters"),
  venue: z.string().trim().min(1, "Venue is required").max(200, "Venue must be at most 200 characters").regex(NO_CONTROL_CHARACTERS, "Venue cannot contain control characters"),
  city: z.string().trim().min(1, "City is required").max(100, "City must be at most 100 characters").regex(NO_CONTROL_CHARACTERS, "City cannot contain control characters"),
  timeZone: z.string().refine(isTimeZone, "Time zone must be an IANA name like Europe/London").default("UTC"),
  startsAt: z.coerce.date({ error: "Start time must be a date and time" }),
  priceCents: z.number().int("Price must be in whole cents").min(0, "Price cannot be negative").max(10_000_000, "Price is too high"),
  currency: z.string().regex(/^[A-Z]{3}$/, "Currency must be a three-letter code like GBP"),
  layout: layoutSpecSchema,
});
export type ShowInput = z.input<typeof showInputSchema>;

/** Creates a show and all its seats in one transaction: a show never exists without its map. */
export async function createShow(db: Db, input: unknown): Promise<Show> {
  const data = parseOrThrow(showInputSchema, input);
  const placements = generateSeats(data.layout);
  return db.transaction(async (tx) => {
    const [show] = await tx
      .insert(shows)
      .values({ ...data, kind: kindOfLayout(data.layout), totalSeats: seatCount(data.layout) })
      .returning();
    // Ids follow layout order, which is the order of the compact status string.
    for (let i = 0; i < placements.length; i += 5000) {
      await tx.insert(seats).values(placements.slice(i, i + 5000).map((p) => ({ showId: show.id, ...p })));
    }
    return show;
  });
}

/** A seat counts as free when AVAILABLE or when its hold has ended: expiry never waits for the sweeper. */
export const seatIsFree = (now: Date) =>
  sql`(${seats.status} = 'AVAILABLE' or (${seats.status} = 'PENDING' and ${seats.expiresAt} <= ${now.toISOString()}::timestamptz))`;

export interface ShowSummary extends Show {
  seatsLeft: number;
}

export async function listUpcomingShows(db: DbOrTx, now: Date): Promise<ShowSummary[]> {
  const rows = await db
    .select({ show: shows, seatsLeft: sql<number>`(count(*) filter (where ${seatIsFree(now)}))::int` })
    .from(shows)
    .innerJoin(seats, eq(seats.showId, shows.id))
    .where(gt(shows.startsAt, now))
    .groupBy(shows.id)
    .orderBy(asc(shows.startsAt), asc(shows.name));
  return rows.map((r) => ({ ...r.show, seatsLeft: r.seatsLeft }));
}

export async function getShow(db: DbOrTx, showId: string): Promise<Show> {
  if (!z.uuid().safeParse(showId).success) throw new NotFound("There is no such show");
  const [show] = await db.select().from(shows).where(eq(shows.id, showId)).limit(1);
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

/**
 * Every seat's state as one character, in id order: A available, H held by someone else,
 * Y held by you, B booked. One short string instead of a row per seat: it is what the seat
 * map refreshes every few seconds.
 */
export const SEAT_CODES = { available: "A", held: "H", yours: "Y", booked: "B" } as const;
export type SeatCode = (typeof SEAT_CODES)[keyof typeof SEAT_CODES];

function seatCodesOf(showId: SQL | string, userId: string | null, now: Date) {
  return sql<string>`(select coalesce(string_agg(
      case
        when ${seatIsFree(now)} then 'A'
        when ${seats.status} = 'BOOKED' then 'B'
        when ${seats.holderId} = ${userId}::uuid then 'Y'
        else 'H'
      end, '' order by ${seats.id}), '')
    from ${seats} where ${seats.showId} = ${showId})`;
}

export async function getSeatCodes(db: DbOrTx, showId: string, userId: string | null, now: Date): Promise<string> {
  const [row] = await db.execute<{ codes: string }>(sql`select ${seatCodesOf(showId, userId, now)} as codes`);
  return row.codes;
}

/** The show and its seat codes in one round trip: what the seat map page needs on every load. */
export async function getShowWithSeatCodes(
  db: DbOrTx,
  showId: string,
  userId: string | null,
  now: Date,
): Promise<{ show: Show; codes: string }> {
  if (!z.uuid().safeParse(showId).success) throw new NotFound("There is no such show");
  const [row] = await db
    .select({ show: shows, codes: seatCodesOf(sql`${shows.id}`, userId, now) })
    .from(shows)
    .where(eq(shows.id, showId));
  if (!row) throw new NotFound("There is no such show");
  return row;
}

export interface SeatState extends SeatPlace {
  status: "AVAILABLE" | "HELD" | "BOOKED";
}

/** A plain list of every seat with its state (the JSON API's view). */
export async function listSeatStates(db: DbOrTx, showId: string, now: Date): Promise<SeatState[]> {
  return db
    .select({
      id: seats.id,
      label: seats.label,
      row: seats.row,
      col: seats.col,
      deck: seats.deck,
      slot: seats.slot,
      status: sql<SeatState["status"]>`case when ${seatIsFree(now)} then 'AVAILABLE' when ${seats.status} = 'BOOKED' then 'BOOKED' else 'HELD' end`,
    })
    .from(seats)
    .where(and(eq(seats.showId, showId)))
    .orderBy(asc(seats.id));
}
