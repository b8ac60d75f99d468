/**
 * The one projection of a show that leaves the database: what pages, the API, e-mails and the
 * booking pages show of it. The API's schema is made from it (http/contract.ts), pages format it
 * (components/show-facts.tsx: showView), and a booking's view carries its show whole, to be
 * projected here. A field added to this schema (and to the table) reaches all of them; a column
 * left out of it (the layout, the cancelled time, the price kept for the listing) stays inside.
 * Isomorphic: no database, no Node.
 */
import { z } from "zod";
import type { Show } from "~/db/schema";
import { SHOW_KINDS } from "./layouts";

const instant = z.iso.datetime({ offset: true });

export const showFactsSchema = z.object({
  id: z.uuid(),
  name: z.string(),
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

const SHOW_FACTS = Object.keys(showFactsSchema.shape) as Array<keyof ShowFacts & keyof Show>;

/** A show's facts as they travel: the schema's fields, times as ISO 8601. */
export function showFacts(show: Show): ShowFacts {
  const facts: Record<string, unknown> = {};
  for (const key of SHOW_FACTS) {
    const value = show[key];
    facts[key] = value instanceof Date ? value.toISOString() : value;
  }
  return facts as ShowFacts;
}
