/**
 * A big venue sold a section at a time (soldBySection in layouts.ts): the plan's sections with
 * what is left in each, for the overview the buyer picks a section from. Pure: shared by the
 * server and the browser.
 */
import { type LayoutSpec, type SectionBox, venuePlan } from "./layouts";

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
