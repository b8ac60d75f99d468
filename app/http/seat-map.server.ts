/**
 * Seat places never change once a show exists, and the seat map is the most requested page of a
 * sale: each process keeps, per show, the places, the map's template, and each row's bytes as
 * last sent (with their compressed form, made the first time a response needed it). A request
 * costs one query for the seats' states; a row whose seats did not change since the last request
 * costs a string comparison, and only changed rows are encoded and compressed again.
 */

import { buildSeatMapTemplate, joinSeats, type SeatMapTemplate } from "~/components/seat-map-html";
import type { DbOrTx } from "~/db/client.server";
import type { LayoutSpec } from "~/domain/layouts";
import { getSeatPlaces, type SeatPlace } from "~/domain/shows.server";
import { LazySegment, type Segment } from "./deflate-stitch.server";

/** Shows kept per process; the least recently used one goes first. */
export const SEAT_MAP_CACHE_SIZE = 50;

interface Row {
  codes: string;
  segment: Segment;
}

interface Entry {
  // A promise, so that the first burst of requests for a show shares one query.
  places: Promise<SeatPlace[]>;
  template?: SeatMapTemplate;
  rows: Array<Row | undefined>;
  end?: Segment;
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
    rows: [],
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

/**
 * The seat grid for these states, as the page's bytes: one segment per row and one for the end.
 * `ticked` holds seat ids as a form sent them, re-ticked after a failed hold; the rows they touch
 * are built for this request only.
 */
export async function seatMapSegments(
  db: DbOrTx,
  show: { id: string; layout: Pick<LayoutSpec, "kind"> },
  codes: string,
  ticked: ReadonlySet<string> = new Set(),
): Promise<Segment[]> {
  const entry = entryFor(db, show.id);
  const places = await entry.places;
  entry.template ??= buildSeatMapTemplate(show.layout, places);
  const template = entry.template;
  const { rowStarts, ids } = template;
  const out: Segment[] = [];
  for (let r = 0; r < rowStarts.length; r++) {
    const from = rowStarts[r];
    const to = r + 1 < rowStarts.length ? rowStarts[r + 1] : ids.length;
    const rowCodes = codes.slice(from, to);
    const rowTicked = ticked.size > 0 && ids.slice(from, to).some((id) => ticked.has(String(id)));
    const cached = entry.rows[r];
    if (!rowTicked && cached && cached.codes === rowCodes) {
      out.push(cached.segment);
      continue;
    }
    const segment = new LazySegment(Buffer.from(joinSeats(template, codes, ticked, from, to)));
    if (!rowTicked) entry.rows[r] = { codes: rowCodes, segment };
    out.push(segment);
  }
  entry.end ??= new LazySegment(Buffer.from(template.end));
  out.push(entry.end);
  return out;
}

/** The show's map template (cached like the buyer's map): the admin page fills it with holders. */
export async function seatMapTemplate(db: DbOrTx, show: { id: string; layout: Pick<LayoutSpec, "kind"> }): Promise<SeatMapTemplate> {
  const entry = entryFor(db, show.id);
  const places = await entry.places;
  entry.template ??= buildSeatMapTemplate(show.layout, places);
  return entry.template;
}
