/**
 * The admin's map of a show: every seat tickable and named with who has it. A big venue
 * (soldBySection) is shown as the buyer's is: the plan, with each section's seats by state, and
 * one section's seats at a time, so the arena's page stays small (docs/operating.md).
 */
import type { DbOrTx } from "~/db/client.server";
import type { Show } from "~/db/schema";
import { SEAT_CODES } from "~/domain/seat-state";
import { clockIn, formatCount, formatMoney } from "~/domain/time";
import { type SectionView, venueView } from "~/domain/venue.server";
import { joinAdminSeatMap } from "./html";
import { seatMapTemplate } from "./segments.server";

export interface Holder {
  seatId: number;
  status: "BOOKED" | "HELD";
  name: string;
  email: string;
  reference: string;
  expiresAt: Date | null;
}

export interface AdminMap {
  /** A big venue's plan, each section labelled with its seats by state; null for a map shown whole. */
  plan: Array<SectionView & { label: string; counts: StateCounts }> | null;
  section: string | null;
  sectionMissing: string | null;
  /** The open map's markup (empty when a big venue's plan is shown with no section open). */
  html: string;
}

export async function adminMap(
  db: DbOrTx,
  show: Pick<Show, "id" | "layout" | "timeZone" | "currency">,
  codes: string,
  holders: Holder[],
  zones: ReadonlyArray<{ name: string; priceCents: number }>,
  askedSection: string | null,
): Promise<AdminMap> {
  const view = venueView(show.layout, codes, zones, null, askedSection);
  const { section, sectionMissing } = view;
  let from = 0;
  const plan =
    view.plan?.map((s) => {
      const counts = stateCounts(codes, from, from + s.seats);
      from += s.seats;
      return { ...s, counts, label: describeSection(s, counts, show.currency, zones) };
    }) ?? null;
  const part = plan && !section ? null : await seatMapTemplate(db, show, section);
  if (!part) return { plan, section, sectionMissing, html: "" };
  const inView = new Set(part.template.ids);
  const about = new Map(
    holders
      .filter((h) => inView.has(h.seatId))
      .map((h) => [
        h.seatId,
        `${h.status === "BOOKED" ? "sold to" : "held by"} ${h.name} <${h.email}> · ref ${h.reference}${h.expiresAt ? ` · until ${clockIn(h.expiresAt, show.timeZone)}` : ""}`,
      ]),
  );
  return { plan, section, sectionMissing, html: joinAdminSeatMap(part.template, codes.slice(part.from, part.to), about) };
}

/** The seats of a section in a state (free, held, blocked), by id: what a section-wide action acts on. Null if the show has no such section. */
export async function sectionSeatIds(
  db: DbOrTx,
  show: Pick<Show, "id" | "layout">,
  codes: string,
  section: string,
  state: "available" | "held" | "blocked",
): Promise<number[] | null> {
  const part = await seatMapTemplate(db, show, section);
  if (!part) return null;
  const wanted = state === "held" ? [SEAT_CODES.held, SEAT_CODES.yours] : [SEAT_CODES[state]];
  return part.template.ids.filter((_, i) => (wanted as string[]).includes(codes[part.from + i]));
}

export interface StateCounts {
  available: number;
  held: number;
  booked: number;
  blocked: number;
}

/** Which count each seat code adds to (a past seat, never sold, adds to none). */
const COUNTED: Record<string, keyof StateCounts | undefined> = {
  [SEAT_CODES.available]: "available",
  [SEAT_CODES.held]: "held",
  [SEAT_CODES.yours]: "held",
  [SEAT_CODES.booked]: "booked",
  [SEAT_CODES.blocked]: "blocked",
};

/** The seats `from` to `to` (a section's, in the show's codes) by state. */
function stateCounts(codes: string, from: number, to: number): StateCounts {
  const counts: StateCounts = { available: 0, held: 0, booked: 0, blocked: 0 };
  for (let i = from; i < to && i < codes.length; i++) {
    const state = COUNTED[codes[i]];
    if (state) counts[state]++;
  }
  return counts;
}

/** A section on the admin's plan: its seats by state. */
function describeSection(
  s: SectionView,
  c: StateCounts,
  currency: string,
  zones: ReadonlyArray<{ name: string; priceCents: number }>,
): string {
  const zone = zones[s.zoneIndex];
  return `${s.name}${zone ? `, ${zone.name} ${formatMoney(zone.priceCents, currency)}` : ""}: ${formatCount(c.available)} free, ${formatCount(c.held)} held, ${formatCount(c.booked)} sold, ${formatCount(c.blocked)} blocked`;
}
