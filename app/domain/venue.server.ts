/**
 * A big venue sold a section at a time (soldBySection in layouts.ts): the plan's sections with
 * what is left in each, for the overview the buyer picks a section from. Pure, but used by the
 * server only: layouts.ts brings zod, which the seat map's page does not send to the browser.
 */
import { type LayoutSpec, layoutGrid, type SectionBox, soldBySection, venuePlan } from "./layouts";

export interface SectionView extends SectionBox {
  /** Index of the section's price zone in the show's zones (its colour on the plan). */
  zoneIndex: number;
  /** Seats a buyer could hold now. */
  left: number;
}

/**
 * Each section of a theatre with its seats left, from the show's codes (one per seat, in id
 * order: the order the layout generates seats in, section by section).
 */
export function sectionViews(
  spec: Extract<LayoutSpec, { kind: "THEATRE" }>,
  codes: string,
  zones: ReadonlyArray<{ name: string }>,
): SectionView[] {
  const zoneIndex = new Map(zones.map((z, i) => [z.name.toLowerCase(), i]));
  let from = 0;
  return venuePlan(spec).map((box) => {
    let left = 0;
    for (let i = from; i < from + box.seats && i < codes.length; i++) if (codes[i] === "A") left++;
    from += box.seats;
    return { ...box, zoneIndex: zoneIndex.get((box.zone ?? "").toLowerCase()) ?? 0, left };
  });
}

/** The section a buyer asked for by name (any case), or undefined. */
export function findSection<T extends { name: string }>(sections: readonly T[], name: string | null | undefined): T | undefined {
  if (!name) return undefined;
  const wanted = name.trim().toLowerCase();
  return sections.find((s) => s.name.toLowerCase() === wanted);
}

/** What the show page draws: the plan (a big venue only) and the section it opens, if any. */
export interface VenueView {
  plan: SectionView[] | null;
  section: string | null;
  /** Says that the section asked for does not exist. */
  sectionMissing: string | null;
  /** The map is wider than a phone shows (about 11 seats): it says it pans, and offers zoom. */
  wide: boolean;
}

/**
 * A show page's view: a big venue (soldBySection) shows its plan and at most one section, the
 * one the proposed or carried seats are in (`seatSection`), or else the one asked for by name.
 */
export function venueView(
  layout: LayoutSpec,
  codes: string,
  zones: ReadonlyArray<{ name: string }>,
  seatSection: string | null | undefined,
  asked: string | null,
): VenueView {
  const plan = layout.kind === "THEATRE" && soldBySection(layout) ? sectionViews(layout, codes, zones) : null;
  if (!plan) return { plan, section: null, sectionMissing: null, wide: layoutGrid(layout).cols > PHONE_SEATS };
  const open = findSection(plan, seatSection ?? asked);
  return {
    plan,
    section: open?.name ?? null,
    sectionMissing: !open && asked ? `There is no section called ${asked.slice(0, 100)} here: pick one from the plan` : null,
    wide: (open?.width ?? 0) > PHONE_SEATS,
  };
}

/** Seats a phone shows across without panning. */
const PHONE_SEATS = 11;
