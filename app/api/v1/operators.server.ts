/**
 * /api/v1/admin/bookings and /api/v1/door: operators' orders, one booking's changes, and the door's
 * check-in for scanner apps. The router checks the role; the domain checks it again.
 */
import { type ChangeOutcome, cancelBookingSeats, moveBookingSeats, resendTicket } from "~/domain/booking-changes.server";
import { checkIn } from "~/domain/check-in.server";
import { ValidationFailed } from "~/domain/errors";
import { listBookings } from "~/domain/orders.server";
import { bookingFacts } from "~/domain/views.server";
import { type ApiCall, type ApiHandlers, callerActor } from "~/http/api.server";
import { iso } from "./json";

const changeJson = (outcome: ChangeOutcome, now: Date) => ({
  booking: bookingFacts(outcome.booking, now),
  refundCents: outcome.refundCents,
  seatLabels: outcome.seatLabels,
  toSeatLabels: outcome.toSeatLabels,
  replayed: outcome.replayed,
});
function requestKey(call: ApiCall): string {
  const key = call.headers["idempotency-key"];
  if (typeof key !== "string" || key.trim() === "")
    throw new ValidationFailed({ "Idempotency-Key": "Send an Idempotency-Key header: 8 to 200 characters, one per change" });
  return key;
}

export const operatorHandlers: Pick<
  ApiHandlers,
  "adminListBookings" | "adminCancelSeats" | "adminMoveSeats" | "adminResendTicket" | "checkIn"
> = {
  async adminListBookings(call) {
    const page = await listBookings(call.services.db, callerActor(call), call.query, call.now);
    return {
      bookings: page.bookings.map((b) => ({ ...b, show: { ...b.show, startsAt: iso(b.show.startsAt) }, createdAt: iso(b.createdAt) })),
      nextCursor: page.nextCursor,
    };
  },

  async adminCancelSeats(call) {
    const input = { ...call.body, bookingId: call.params.bookingId, requestKey: requestKey(call) };
    return changeJson(await cancelBookingSeats(call.services.db, callerActor(call), input, call.now), call.now);
  },

  async adminMoveSeats(call) {
    const input = { ...call.body, bookingId: call.params.bookingId, requestKey: requestKey(call) };
    return changeJson(await moveBookingSeats(call.services.db, callerActor(call), input, call.now), call.now);
  },

  async adminResendTicket(call) {
    const input = { bookingId: call.params.bookingId, requestKey: requestKey(call) };
    return changeJson(await resendTicket(call.services.db, callerActor(call), input, call.now), call.now);
  },

  async checkIn(call) {
    const scanKey = call.headers["idempotency-key"];
    const input = { ...call.body, showId: call.params.showId, ...(scanKey ? { scanKey } : {}) };
    const result = await checkIn(call.services.db, callerActor(call), input, call.now);
    return {
      ...result,
      earlier: result.earlier && { ...result.earlier, at: iso(result.earlier.at) },
      otherShow: result.otherShow && { ...result.otherShow, startsAt: iso(result.otherShow.startsAt) },
    };
  },
};
