/**
 * Seat places never change once a show exists, and the seat map is the most requested page of a
 * sale: each process keeps the places and the map's pre-built HTML of the shows it serves, so a
 * request costs one query for the seats' states and a string join.
 */
import type { DbOrTx } from "~/db/client.server";
import type { LayoutSpec } from "~/domain/layouts";
import { getSeatPlaces, type SeatPlace } from "~/domain/shows.server";
import { buildSeatMapTemplate, joinSeatMap, type SeatMapTemplate } from "./seat-map-html";

/** Shows kept per process; the least recently used one goes first. */
export const SEAT_MAP_CACHE_SIZE = 50;

interface Entry {
  // A promise, so that the first burst of requests for a show shares one query.
  places: Promise<SeatPlace[]>;
  template?: SeatMapTemplate;
}

const entries = new Map<string, Entry>();

function entryFor(db: DbOrTx, showId: string): Entry {
  const cached = entries.get(showId);
  if (cached) {
    // Map keeps insertion order: moving the entry to the end marks it most recently used.
    entries.delete(showId);
    entries.set(showId, cached);
    return cached;
  }
  const entry: Entry = {
    places: getSeatPlaces(db, showId).then((places) => {
      // No seats means no such show (a show never exists without its seats): do not keep it.
      if (places.length === 0) forget(showId, entry);
      return places;
    }),
  };
  entry.places.catch(() => forget(showId, entry));
  entries.set(showId, entry);
  for (const key of entries.keys()) {
    if (entries.size <= SEAT_MAP_CACHE_SIZE) break;
    entries.delete(key);
  }
  return entry;
}

function forget(showId: string, entry: Entry) {
  if (entries.get(showId) === entry) entries.delete(showId);
}

/** The seat grid's HTML for these states: the static parts come from the cache. */
export async function renderCachedSeatMap(
  db: DbOrTx,
  show: { id: string; layout: Pick<LayoutSpec, "kind"> },
  codes: string,
  ticked: ReadonlySet<string> = new Set(),
): Promise<string> {
  const entry = entryFor(db, show.id);
  const places = await entry.places;
  entry.template ??= buildSeatMapTemplate(show.layout, places);
  return joinSeatMap(entry.template, codes, ticked);
}
