/** /api/v1/shows: the list, one show with its seats, and a hold of some of them. */
import { placeHold } from "~/domain/holds.server";
import { getShowSeats, listShowsPage } from "~/domain/shows.server";
import { type ApiHandlers, callerId } from "~/http/api.server";
import { bookingJson, showJson } from "./json";

export const showHandlers: Pick<ApiHandlers, "listShows" | "getShow" | "hold"> = {
  async listShows(call) {
    const key = `api?${JSON.stringify(Object.entries(call.query ?? {}).sort())}`;
    const page = await call.services.showList(key, (db) => listShowsPage(db, call.query, call.now));
    return { shows: page.shows.map((s) => showJson(s, s.zones, s.availableSeats)), nextCursor: page.nextCursor };
  },

  async getShow(call) {
    const { show, zones, seats } = await getShowSeats(call.services.db, call.params.showId, call.userId, call.now);
    const available = seats.reduce((n, s) => n + (s.status === "AVAILABLE" ? 1 : 0), 0);
    return {
      show: { ...showJson(show, zones, available), layout: show.layout },
      seats: seats.map((s) => ({
        id: s.id,
        label: s.label,
        section: s.section,
        row: s.row,
        column: s.col,
        deck: s.deck,
        slot: s.slot,
        zone: zones[s.zone]?.name ?? "",
        status: s.status,
        mine: s.mine,
      })),
    };
  },

  async hold(call) {
    const { db, booking: settings } = call.services;
    const held = await placeHold(
      db,
      {
        userId: callerId(call),
        showId: call.params.showId,
        seatIds: call.body.seatIds,
        clientAddress: call.clientAddress(),
        claim: call.claim,
      },
      call.now,
      settings,
    );
    return { booking: bookingJson(held.booking, held.seats, call.now) };
  },
};
