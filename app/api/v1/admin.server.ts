/** /api/v1/admin: creating a show, resetting it, blocking seats, the sales figures. The router checks the role; the domain checks it again. */
import { getDashboard } from "~/domain/dashboard.server";
import { createShowAsAdmin, resetShow, setSeatsBlocked } from "~/domain/show-admin.server";
import { getShowListing } from "~/domain/shows.server";
import { type ApiHandlers, callerActor } from "~/http/api.server";
import { iso, showJson } from "./json";

export const adminHandlers: Pick<ApiHandlers, "createShow" | "resetShow" | "blocks" | "stats"> = {
  async createShow(call) {
    const created = await createShowAsAdmin(call.services.db, callerActor(call), call.rawBody, call.now);
    const show = await getShowListing(call.services.db, created.id, call.now);
    return { show: { ...showJson(show, show.zones, show.availableSeats), layout: show.layout } };
  },

  async resetShow(call) {
    return resetShow(call.services.db, callerActor(call), call.params.showId, call.now);
  },

  async blocks(call) {
    const input = { showId: call.params.showId, seatIds: call.body.seatIds, blocked: call.body.blocked };
    return setSeatsBlocked(call.services.db, callerActor(call), input, call.now);
  },

  async stats(call) {
    const { totals, shows } = await getDashboard(call.services.db, callerActor(call), call.now);
    return { ...totals, shows: shows.map((s) => ({ ...s, startsAt: iso(s.startsAt) })) };
  },
};
