/**
 * The seat map as this instance last knew it, for the page a buyer gets back when a hold failed
 * without JavaScript (the conflict page: in a flash sale, most of the no-JavaScript path's
 * requests). Each show's public seat codes (nobody's "yours") are read at most every
 * RECENT_CODES_MAX_AGE_MS and patched meanwhile by every seat change this instance hears
 * (app/server/seat-events.server.ts): a conflict then costs no read of the show's 20,000 seats.
 * A change this instance has not heard of yet shows late by at most that age, as on a map that
 * was opened a moment ago; the conflict's own seats are marked taken by the action that found
 * them so, and the buyer's own seats by a read of their own (shows.server.ts).
 *
 * Only the conflict page reads from here: every other page load reads the seats fresh.
 */
import type { Db } from "~/db/client.server";
import { getShowWithSeatCodes } from "~/domain/shows.server";
import { seatPlaces } from "~/seat-map/segments.server";

export const RECENT_CODES_MAX_AGE_MS = 2000;
/** Shows kept per process; the least recently used one goes first. */
const MAX_SHOWS = 50;

type ShowWithCodes = Awaited<ReturnType<typeof getShowWithSeatCodes>>;

interface Entry {
  read: Promise<{ found: ShowWithCodes; codes: Buffer; indexOf: (seatId: number) => number }>;
  readAt: number;
  /** News heard while the read was on its way: applied to what it brings. */
  heardMeanwhile: Array<Record<string, string>> | null;
}

export interface RecentSeatCodes {
  /** The show and its public seat codes, as last known (read again when older than RECENT_CODES_MAX_AGE_MS). */
  get(db: Db, showId: string, now?: Date): Promise<ShowWithCodes>;
  /** A seat change as the announcer sends it: {"s":"<show>","c":{"<seat id>":"H",…}} or {"s":"<show>","all":true}. */
  hear(payload: string): void;
  /** News may have been missed (the LISTEN connection came back): forget everything. */
  forget(): void;
}

export function recentSeatCodes(maxAgeMs = RECENT_CODES_MAX_AGE_MS): RecentSeatCodes {
  const shows = new Map<string, Entry>();

  const patch = (codes: Buffer, indexOf: (id: number) => number, changes: Record<string, string>) => {
    for (const [seatId, code] of Object.entries(changes)) {
      const i = indexOf(Number(seatId));
      if (i >= 0) codes[i] = code.charCodeAt(0);
    }
  };

  const load = (db: Db, showId: string, now: Date): Entry => {
    const entry: Entry = { readAt: now.getTime(), heardMeanwhile: [], read: undefined as unknown as Entry["read"] };
    entry.read = (async () => {
      const [found, places] = await Promise.all([getShowWithSeatCodes(db, showId, null, now), seatPlaces(db, showId)]);
      // Seat ids of a show are made in one go: usually consecutive, so a seat's place is an offset.
      const first = places[0]?.id ?? 0;
      const consecutive = places.every((p, i) => p.id === first + i);
      const byId = consecutive ? null : new Map(places.map((p, i) => [p.id, i]));
      const indexOf = (id: number) => (byId ? (byId.get(id) ?? -1) : id - first < places.length ? id - first : -1);
      const codes = Buffer.from(found.codes, "latin1");
      for (const changes of entry.heardMeanwhile ?? []) patch(codes, indexOf, changes);
      entry.heardMeanwhile = null;
      return { found, codes, indexOf };
    })();
    entry.read.catch(() => {
      if (shows.get(showId) === entry) shows.delete(showId);
    });
    shows.set(showId, entry);
    for (const key of shows.keys()) {
      if (shows.size <= MAX_SHOWS) break;
      shows.delete(key);
    }
    return entry;
  };

  return {
    async get(db, showId, now = new Date()) {
      const key = showId.toLowerCase();
      let entry = shows.get(key);
      if (!entry || now.getTime() - entry.readAt > maxAgeMs) entry = load(db, key, now);
      const { found, codes } = await entry.read;
      return { ...found, codes: codes.toString("latin1") };
    },
    hear(payload) {
      // The show's id is the payload's first field, at a fixed place: {"s":"<uuid>",…}.
      const entry = shows.get(payload.slice(6, 42));
      if (!entry) return;
      const news = JSON.parse(payload) as { c?: Record<string, string>; all?: true };
      if (news.all || !news.c) {
        shows.delete(payload.slice(6, 42));
        return;
      }
      if (entry.heardMeanwhile) entry.heardMeanwhile.push(news.c);
      else {
        const changes = news.c;
        void entry.read.then(({ codes, indexOf }) => patch(codes, indexOf, changes)).catch(() => {});
      }
    },
    forget() {
      shows.clear();
    },
  };
}
