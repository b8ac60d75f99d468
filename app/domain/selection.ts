/**
 * A visitor's ticked seats, carried through log-in or sign-up in the address they come back to
 * (`/shows/<id>?seat=12&seat=13`), so nothing they chose is lost on the way. Only the seat ids
 * travel: whether they are still free is decided by the hold, as always.
 */

/** More than any hold allows (MAX_SEATS_PER_HOLD is at most 100): anything past it is dropped. */
export const MAX_CARRIED_SEATS = 100;
const SEAT_ID = /^[1-9]\d{0,14}$/;

/** The seat ids worth carrying: well-formed, each once, at most MAX_CARRIED_SEATS. */
export function carriedSeatIds(values: ReadonlyArray<unknown>): string[] {
  const ids = new Set<string>();
  for (const value of values) {
    if (typeof value === "string" && SEAT_ID.test(value)) ids.add(value);
    if (ids.size === MAX_CARRIED_SEATS) break;
  }
  return [...ids];
}

/** The show page's address with the seats ticked. */
export function selectionPath(showPath: string, seatIds: ReadonlyArray<unknown>): string {
  const ids = carriedSeatIds(seatIds);
  return ids.length ? `${showPath}?${ids.map((id) => `seat=${id}`).join("&")}` : showPath;
}

/** The show and seats an address carries (a log-in's redirectTo), or null. */
export function parseSelection(path: string | null | undefined): { showId: string; seatIds: string[] } | null {
  if (!path) return null;
  const match = /^\/shows\/([0-9a-f-]{36})(?:\?(.*))?$/i.exec(path);
  if (!match) return null;
  const seatIds = carriedSeatIds(new URLSearchParams(match[2] ?? "").getAll("seat"));
  return seatIds.length ? { showId: match[1], seatIds } : null;
}
