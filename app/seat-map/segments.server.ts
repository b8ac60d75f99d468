/**
 * Seat places never change once a show exists, and the seat map is the most requested page of a
 * sale: each process keeps, per show, the places, the map's template, and each row's bytes as
 * last sent (with their compressed form, made the first time a response needed it). A request
 * costs one query for the seats' states; a row whose seats did not change since the last request
 * costs a string comparison, and only changed rows are encoded and compressed again.
 */

import type { AppLoadContext } from "@remix-run/node";
import type { Db, DbOrTx } from "~/db/client.server";
import { SeatsUnavailable } from "~/domain/errors";
import type { LayoutSpec } from "~/domain/layouts";
import { SEAT_CODES } from "~/domain/seat-state";
import { getSeatPlaces, getViewerHeldSeatIds, type SeatPlace } from "~/domain/shows.server";
import { actionFailureOf } from "~/http/page.server";
import { LazySegment, type Segment } from "~/seat-map/deflate-stitch.server";
import { buildSeatMapTemplate, joinSeats, type SeatMapTemplate } from "~/seat-map/html";

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

const WHOLE_MAP = "whole";

/** The map's view: the whole map (`section` null) or the seats of one section, or null if there is no such section. */
async function viewOf(db: DbOrTx, show: { id: string; layout: Pick<LayoutSpec, "kind"> }, section: string | null): Promise<View | null> {
  const entry = entryFor(db, show.id);
  const places = await entry.places;
  // The whole map and each section by name: "" is a (missing) section's name, never the whole map.
  const key = section === null ? WHOLE_MAP : `section:${section}`;
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

/**
 * The map template of the whole show or of one section (cached like the buyer's map), and where
 * its seats are among the show's codes (`from`, `to`): the admin page fills it with holders. Null
 * if the show has no such section.
 */
export async function seatMapTemplate(
  db: DbOrTx,
  show: { id: string; layout: Pick<LayoutSpec, "kind"> },
  section: string | null = null,
): Promise<{ template: SeatMapTemplate; from: number; to: number } | null> {
  const view = await viewOf(db, show, section);
  return view && { template: view.template, from: view.from, to: view.to };
}

/** What a failed hold found (SeatsUnavailable): the seats taken, those the buyer already holds elsewhere, and the seats ticked. */
export interface HoldConflict {
  taken: readonly string[];
  yours: readonly string[];
  ticked: ReadonlySet<string>;
}

/** The hold this request's action was refused (a POST re-rendered without JavaScript), if it was. */
export function failedHoldOf(context: AppLoadContext): HoldConflict | undefined {
  const failure = actionFailureOf(context);
  if (!failure) return undefined;
  const { form, error } = failure;
  const conflict = error instanceof SeatsUnavailable ? { taken: error.labels, yours: error.yours } : { taken: [], yours: [] };
  return { ticked: new Set(form.getAll("seat").map(String)), ...conflict };
}

/** A seat's place in the show's codes: places are in id order. */
function indexOfSeat(places: SeatPlace[], id: number): number {
  let lo = 0;
  let hi = places.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (places[mid].id === id) return mid;
    if (places[mid].id < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * The page after a hold failed (no JavaScript): the show and its codes from this instance's
 * memory (seat-map/recent-codes.server.ts) instead of a read of every seat, with the seats the
 * failed hold found taken marked so (the memory may not have heard yet), and the viewer's own
 * live holds marked theirs. What the page shows is as fresh as a map opened a moment ago.
 */
export async function codesAfterFailedHold(
  context: Pick<AppLoadContext, "recentSeatCodes"> & { db: Db },
  showId: string,
  viewerId: string | null,
  conflict: HoldConflict | undefined,
  now: Date,
) {
  const found = await context.recentSeatCodes.get(context.db, showId, now);
  const [places, own] = await Promise.all([
    seatPlaces(context.db, found.show.id),
    viewerId ? getViewerHeldSeatIds(context.db, found.show.id, viewerId, now) : Promise.resolve([]),
  ]);
  if (!conflict && own.length === 0) return found;
  const codes = Buffer.from(found.codes, "latin1");
  const mark = (i: number, code: string) => {
    if (i >= 0) codes[i] = code.charCodeAt(0);
  };
  for (const id of own) mark(indexOfSeat(places, id), SEAT_CODES.yours);
  for (const ticked of conflict?.ticked ?? []) {
    const i = indexOfSeat(places, Number(ticked));
    if (i < 0) continue;
    const known = String.fromCharCode(codes[i]);
    if (conflict?.yours.includes(places[i].label)) mark(i, SEAT_CODES.yours);
    else if (conflict?.taken.includes(places[i].label) && (known === SEAT_CODES.available || known === SEAT_CODES.past))
      mark(i, SEAT_CODES.held);
  }
  return { ...found, codes: codes.toString("latin1") };
}
