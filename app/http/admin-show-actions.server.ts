/**
 * What the admin's show page does when posted to (routes/admin.shows.$showId.tsx), by intent: each
 * calls one domain function and answers with a redirect and a flash in the venue's words.
 */
import type { TypedResponse } from "@remix-run/node";
import type { requireAdmin } from "~/auth/guards.server";
import { ValidationFailed } from "~/domain/errors";
import { cancelShow, deleteShow, releaseHoldsOnSeats, resetShow, setSeatsBlocked } from "~/domain/show-admin.server";
import { getSeatCodes, getShow } from "~/domain/shows.server";
import { counted } from "~/domain/words";
import { sectionSeatIds } from "~/seat-map/admin-map.server";
import { type PageActionArgs, redirectWithFlash, textField } from "./page.server";

type Args = PageActionArgs<Awaited<ReturnType<typeof requireAdmin>>>;

/** Back to the show, in the section the form was posted from (a big venue's), if any. */
const back = (a: Args, showId: string) => {
  const section = textField(a.form, "section");
  return section ? `/admin/shows/${showId}?${new URLSearchParams({ section })}#seats` : `/admin/shows/${showId}`;
};
export const SHOW_INTENTS: Record<string, (a: Args, showId: string) => Promise<TypedResponse<never>>> = {
  block: async (a, showId) => {
    const { changed } = await setSeatsBlocked(a.context.db, a.user, { showId, seatIds: a.form.getAll("seat"), blocked: true });
    return redirectWithFlash(a, back(a, showId), `${counted(changed, "seat", "seats")} blocked`);
  },
  unblock: async (a, showId) => {
    const { changed } = await setSeatsBlocked(a.context.db, a.user, { showId, seatIds: a.form.getAll("seat"), blocked: false });
    return redirectWithFlash(a, back(a, showId), `${counted(changed, "seat", "seats")} back on sale`);
  },
  release: async (a, showId) => {
    const { bookings, seats } = await releaseHoldsOnSeats(a.context.db, a.user, { showId, seatIds: a.form.getAll("seat") });
    return redirectWithFlash(a, back(a, showId), `${counted(bookings, "hold", "holds")} released (${counted(seats, "seat", "seats")})`);
  },
  // A big venue's section at once: the seats in the state the action applies to, as the map shows them now.
  "block-section": (a, showId) => sectionWide(a, showId, "available", true),
  "unblock-section": (a, showId) => sectionWide(a, showId, "blocked", false),
  "release-section": (a, showId) => sectionWide(a, showId, "held", null),
  reset: async (a, showId) => {
    const r = await resetShow(a.context.db, a.user, showId);
    return redirectWithFlash(
      a,
      `/admin/shows/${showId}`,
      `Reset: ${counted(r.seats, "seat", "seats")} back on sale, ${counted(r.holds, "hold", "holds")} released, ${counted(r.bookings, "booking", "bookings")} refunded`,
    );
  },
  cancel: async (a, showId) => {
    const r = await cancelShow(a.context.db, a.user, showId);
    return redirectWithFlash(
      a,
      `/admin/shows/${showId}`,
      `Cancelled: ${counted(r.bookings, "booking", "bookings")} refunded, ${counted(r.holds, "hold", "holds")} released`,
    );
  },
  delete: async (a, showId) => {
    await deleteShow(a.context.db, a.user, showId);
    return redirectWithFlash(a, "/admin/shows", "The show was deleted");
  },
};

async function sectionWide(a: Args, showId: string, state: "available" | "blocked" | "held", block: boolean | null) {
  const show = await getShow(a.context.db, showId);
  const section = textField(a.form, "section");
  const ids = await sectionSeatIds(a.context.db, show, await getSeatCodes(a.context.db, show.id, null, new Date()), section, state);
  if (ids === null) throw new ValidationFailed({ section: `This show has no section called ${section.slice(0, 100) || "that"}` });
  if (ids.length === 0)
    return redirectWithFlash(a, back(a, showId), `Nothing to do: no seat of ${section} is ${state === "available" ? "free" : state}`);
  if (block === null) {
    const { bookings, seats } = await releaseHoldsOnSeats(a.context.db, a.user, { showId, seatIds: ids });
    return redirectWithFlash(a, back(a, showId), `${counted(bookings, "hold", "holds")} released (${counted(seats, "seat", "seats")})`);
  }
  const { changed } = await setSeatsBlocked(a.context.db, a.user, { showId, seatIds: ids, blocked: block });
  return redirectWithFlash(a, back(a, showId), `${counted(changed, "seat", "seats")} ${block ? "blocked" : "back on sale"} in ${section}`);
}
