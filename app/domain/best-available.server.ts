import { z } from "zod";
import type { DbOrTx } from "~/db/client.server";
import type { Show } from "~/db/schema";
import { bestAvailable, earliestFree } from "./best-available";
import { listLabels } from "./errors";
import { getSeatPlaces, type ZoneView } from "./shows.server";
import { parseOrThrow } from "./validation";

const blankIsNone = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

/** The seat map's "N seats together" form (a GET form: it proposes, it holds nothing). */
const proposalQuery = (max: number) =>
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
  });

/**
 * The best free seats for the form's ask, from the seats' places and the codes the page shows
 * (so the proposal matches the map): ticked on the map for the buyer to confirm with "Hold seats".
 * Null when nothing was asked.
 */
export async function proposeSeats(
  db: DbOrTx,
  show: Pick<Show, "id" | "kind">,
  codes: string,
  zones: readonly ZoneView[],
  query: unknown,
  maxSeats: number,
): Promise<{ seatIds: string[]; message: string } | null> {
  const ask = parseOrThrow(proposalQuery(maxSeats), query ?? {});
  if (ask.together === undefined) return null;
  const zone = ask.zone === undefined ? undefined : zones.findIndex((z) => z.name === ask.zone);
  if (zone === -1) return { seatIds: [], message: `There is no zone called ${ask.zone} here` };
  const places = await getSeatPlaces(db, show.id);
  const cells = places.map((p, i) => ({ ...p, free: codes[i] === "A" }));
  const ids = show.kind === "DOCTOR" ? earliestFree(cells, ask.together) : bestAvailable(cells, ask.together, zone);
  const where = zone === undefined ? "" : ` in ${zones[zone].name}`;
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
    show.kind === "DOCTOR" ? `The earliest free ${ids.length === 1 ? "time" : "times"}` : `The best ${ids.length} together${where}`;
  return { seatIds: ids.map(String), message: `${picked}: ${listLabels(labels)}, ticked for you. Press Hold to hold them.` };
}
