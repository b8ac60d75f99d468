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

/** The whole map, or one section's seats (a big venue is sold a section at a time). */
interface View {
  template: SeatMapTemplate;
  /** The view's seats are places `from` to `to` (exclusive): a section's seats are consecutive ids. */
  from: number;
  to: number;
  rows: Array<Row | undefined>;
  end?: Segment;
}

interface Entry {
  // A promise, so that the first burst of requests for a show shares one query.
  places: Promise<SeatPlace[]>;
  /** By section name; "" is the whole map. */
  views: Map<string, View>;
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
    views: new Map(),
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

/** A show's seats' places in id order, from the cache (they never change once the show exists). */
export function seatPlaces(db: DbOrTx, showId: string): Promise<SeatPlace[]> {
  return entryFor(db, showId).places;
}

/** The map's view: the whole map (`section` null) or the seats of one section, or null if there is no such section. */
async function viewOf(db: DbOrTx, show: { id: string; layout: Pick<LayoutSpec, "kind"> }, section: string | null): Promise<View | null> {
  const entry = entryFor(db, show.id);
  const places = await entry.places;
  const key = section ?? "";
  const cached = entry.views.get(key);
  if (cached) return cached;
  let from = 0;
  let to = places.length;
  if (section !== null) {
    from = places.findIndex((p) => p.section === section);
    if (from < 0) return null;
    to = from;
    while (to < places.length && places[to].section === section) to++;
  }
  const view: View = { template: buildSeatMapTemplate(show.layout, places.slice(from, to)), from, to, rows: [] };
  entry.views.set(key, view);
  return view;
}

/**
 * The seat grid for these states (`codes`: the whole show's), as the page's bytes: one segment
 * per row and one for the end. `ticked` holds seat ids as a form sent them, re-ticked after a
 * failed hold; the rows they touch are built for this request only. With a section, only its
 * seats; null if the show has no such section.
 */
export async function seatMapSegments(
  db: DbOrTx,
  show: { id: string; layout: Pick<LayoutSpec, "kind"> },
  allCodes: string,
  ticked: ReadonlySet<string> = new Set(),
  section: string | null = null,
): Promise<Segment[] | null> {
  const view = await viewOf(db, show, section);
  if (!view) return null;
  const codes = allCodes.slice(view.from, view.to);
  const { template } = view;
  const { rowStarts, ids } = template;
  const out: Segment[] = [];
  for (let r = 0; r < rowStarts.length; r++) {
    const from = rowStarts[r];
    const to = r + 1 < rowStarts.length ? rowStarts[r + 1] : ids.length;
    const rowCodes = codes.slice(from, to);
    const rowTicked = ticked.size > 0 && ids.slice(from, to).some((id) => ticked.has(String(id)));
    const cached = view.rows[r];
    if (!rowTicked && cached && cached.codes === rowCodes) {
      out.push(cached.segment);
      continue;
    }
    const segment = new LazySegment(Buffer.from(joinSeats(template, codes, ticked, from, to)));
    if (!rowTicked) view.rows[r] = { codes: rowCodes, segment };
    out.push(segment);
  }
  view.end ??= new LazySegment(Buffer.from(template.end));
  out.push(view.end);
  return out;
}

/** The codes of one view's seats (a section's, or the whole map's) out of the whole show's. */
export async function viewCodes(
  db: DbOrTx,
  show: { id: string; layout: Pick<LayoutSpec, "kind"> },
  allCodes: string,
  section: string | null,
): Promise<string> {
  const view = await viewOf(db, show, section);
  return view ? allCodes.slice(view.from, view.to) : "";
}

/** The island's HTML for one view, as a string (the browser asks for it after a client-side navigation). */
export async function seatMapHtml(
  db: DbOrTx,
  show: { id: string; layout: Pick<LayoutSpec, "kind"> },
  allCodes: string,
  section: string | null,
): Promise<{ html: string; codes: string } | null> {
  const view = await viewOf(db, show, section);
  if (!view) return null;
  const codes = allCodes.slice(view.from, view.to);
  return { html: joinSeats(view.template, codes, new Set(), 0, view.template.ids.length) + view.template.end, codes };
}

/** The show's map template (cached like the buyer's map): the admin page fills it with holders. */
export async function seatMapTemplate(db: DbOrTx, show: { id: string; layout: Pick<LayoutSpec, "kind"> }): Promise<SeatMapTemplate> {
  const view = await viewOf(db, show, null);
  return (view as View).template;
}
