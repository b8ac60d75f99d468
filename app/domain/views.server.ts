/**
 * The one projection of a show, and of a booking, that leaves the database: what pages, the API, e-mails and the
 * booking pages show of it. The API's schema is made from it (http/contract.ts), pages format it
 * (components/show-facts.tsx: showView), and a booking's view carries its show whole, to be
 * projected here. A field added to this schema (and to the table) reaches all of them; a column
 * left out of it (the layout, the cancelled time, the price kept for the listing) stays inside.
 * Server-only (zod stays out of the browser's bundle); components take its types.
 */
import { z } from "zod";
import type { Booking, Show } from "~/db/schema";
import { SHOW_KINDS } from "./layouts";
import { BOOKING_STATUSES, hasHoldEnded } from "./seat-state";
import { formatMoney, formatShowTime } from "./time";

/** An instant as the API sends it: ISO 8601 with its offset. */
export const instant = z.iso.datetime({ offset: true });

export const showFactsSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string().nullable().describe("What the show is, in paragraphs of plain text"),
  kind: z.enum(SHOW_KINDS),
  venue: z.string(),
  city: z.string(),
  startsAt: instant,
  timeZone: z.string().describe("The venue's IANA time zone: times are shown on its clock"),
  currency: z.string(),
  maxSeatsPerCustomer: z
    .number()
    .int()
    .nullable()
    .describe("How many seats one buyer may hold and buy for this show (null: no limit beyond the per-hold one)"),
  totalSeats: z.number().int(),
});
export type ShowFacts = z.infer<typeof showFactsSchema>;

const SHOW_FACTS = Object.keys(showFactsSchema.shape);

/** The schema's fields of a row, times as ISO 8601. */
function project<T>(row: object, keys: readonly string[]): T {
  const facts: Record<string, unknown> = {};
  for (const key of keys) {
    const value = (row as Record<string, unknown>)[key];
    facts[key] = value instanceof Date ? value.toISOString() : value;
  }
  return facts as T;
}

/** A show's facts as they travel. */
export const showFacts = (show: Show): ShowFacts => project(show, SHOW_FACTS);

export const bookingFactsSchema = z.object({
  id: z.uuid(),
  reference: z.string(),
  status: z.enum(BOOKING_STATUSES).describe("As everyone sees it: a hold whose time is up is EXPIRED, swept or not"),
  showId: z.uuid(),
  expiresAt: instant,
  amountCents: z.number().int(),
  currency: z.string(),
  createdAt: instant,
  confirmedAt: instant.nullable(),
  cancelledAt: instant.nullable(),
});
export type BookingFacts = z.infer<typeof bookingFactsSchema>;

const BOOKING_FACTS = Object.keys(bookingFactsSchema.shape);

/** A booking's facts as they travel, its status as everyone sees it at `now`. */
export function bookingFacts(booking: Booking, now: Date): BookingFacts {
  const facts = project<BookingFacts>(booking, BOOKING_FACTS);
  if (hasHoldEnded(booking, now)) facts.status = "EXPIRED";
  return facts;
}

/**
 * What pages show of a show: its facts, with its time and price formatted on the server in the
 * venue's zone (never the browser's).
 */
export function showView(show: Show) {
  return { ...showFacts(show), time: formatShowTime(show.startsAt, show.timeZone), price: formatMoney(show.priceCents, show.currency) };
}
export type ShowView = ReturnType<typeof showView>;
