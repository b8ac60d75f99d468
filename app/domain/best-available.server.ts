import { z } from "zod";
import type { Show } from "~/db/schema";
import { bestAvailable, earliestFree } from "./best-available";
import { listLabels } from "./errors";
import type { SeatPlace, ZoneView } from "./shows.server";
import { parseOrThrow } from "./validation";
import { plural } from "./words";

const blankIsNone = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

/** The seat map's "N seats together" form (a GET form: it proposes, it holds nothing). */
const makeProposalQuery = (max: number) =>
  z.object({
    together: z.preprocess(
      blankIsNone,
      z.coerce
        .number({ error: `Ask for 1 to ${max} seats together` })
        .int(`Ask for 1 to ${max} seats together`)
        .min(1, `Ask for 1 to ${max} seats together`)
        .max(max, `Ask for 1 to ${max} seats together`)
        .optional(),
    ),
    zone: z.preprocess(blankIsNone, z.string().max(100, "Pick a zone from the list").optional()),
    section: z.preprocess(blankIsNone, z.string().max(100, "Pick a section from the list").optional()),
    near: z.preprocess(blankIsNone, z.enum(["window", "aisle"], { error: "Pick window or aisle" }).optional()),
  });
/** Built once per limit (1–100): building a zod schema cost more than the page's proposal itself. */
const proposalQueries = new Map<number, ReturnType<typeof makeProposalQuery>>();
function proposalQuery(max: number) {
  let schema = proposalQueries.get(max);
  if (!schema) {
    schema = makeProposalQuery(max);
    proposalQueries.set(max, schema);
  }
  return schema;
}

/**
 * The best free seats for the form's ask, from the seats' places and the codes the page shows
 * (so the proposal matches the map): ticked on the map for the buyer to confirm with "Hold seats".
 * Null when nothing was asked.
 */
export function proposeSeats(
  places: readonly SeatPlace[],
  show: Pick<Show, "kind" | "layout">,
  codes: string,
  zones: readonly ZoneView[],
  query: unknown,
  maxSeats: number,
): { seatIds: string[]; message: string } | null {
  // Most page views ask for nothing: no form to read.
  if (typeof query !== "object" || query === null || !("together" in query)) return null;
  const ask = parseOrThrow(proposalQuery(maxSeats), query);
  if (ask.together === undefined) return null;
  const zone = ask.zone === undefined ? undefined : zones.findIndex((z) => z.name === ask.zone);
  if (zone === -1) return { seatIds: [], message: `There is no zone called ${ask.zone} here` };
  const section =
    ask.section === undefined ? undefined : places.find((p) => p.section?.toLowerCase() === ask.section?.toLowerCase())?.section;
  if (section === undefined && ask.section !== undefined) return { seatIds: [], message: `There is no section called ${ask.section} here` };
  // The venue's centre line, from every seat (a section asked for may lie to one side of it).
  let [left, right] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (const p of places) [left, right] = [Math.min(left, p.col), Math.max(right, p.col)];
  let cells = places.map((p, i) => ({ ...p, free: codes[i] === "A" }));
  if (section !== undefined) cells = cells.filter((c) => c.section === section);
  const layout = show.layout;
  const near = layout.kind === "BUS" ? ask.near : undefined;
  const ids =
    show.kind === "DOCTOR"
      ? earliestFree(cells, ask.together)
      : bestAvailable(
          cells,
          ask.together,
          zone,
          near && layout.kind === "BUS" ? { near, arrangement: layout.arrangement } : undefined,
          layout.kind === "THEATRE" ? (left + right) / 2 : undefined,
        );
  const where =
    (section === undefined ? "" : ` in ${section}`) +
    (zone === undefined ? "" : section === undefined ? ` in ${zones[zone].name}` : ` (${zones[zone].name})`) +
    (near ? ` with ${near === "window" ? "a window" : "an aisle"} seat` : "");
  if (!ids) {
    return {
      seatIds: [],
      message:
        show.kind === "DOCTOR"
          ? `There are not ${ask.together} free times left`
          : `No ${ask.together} seats together are free${where}: try fewer, or another zone`,
    };
  }
  const labels = ids.map((id) => places.find((p) => p.id === id)?.label ?? String(id));
  const picked =
    show.kind === "DOCTOR" ? `The earliest free ${plural(ids.length, "time", "times")}` : `The best ${ids.length} together${where}`;
  return { seatIds: ids.map(String), message: `${picked}: ${listLabels(labels)}, ticked for you. Press Hold to hold them.` };
}
