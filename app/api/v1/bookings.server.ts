/** /api/v1/bookings: the caller's bookings, one of them, paying for it, ending it. */
import { confirmBooking, endBooking, listBookingsForUser } from "~/domain/bookings.server";
import { type ApiHandlers, callerId } from "~/http/api.server";
import { bookingAnswer, bookingViewJson } from "./json";

export const bookingHandlers: Pick<ApiHandlers, "listBookings" | "getBooking" | "confirm" | "release"> = {
  async listBookings(call) {
    const views = await listBookingsForUser(call.services.db, callerId(call), call.now);
    return { bookings: views.map((v) => bookingViewJson(v, call.now)) };
  },

  async getBooking(call) {
    return bookingAnswer(call, call.params.bookingId);
  },

  async confirm(call) {
    const input = {
      userId: callerId(call),
      bookingId: call.params.bookingId,
      idempotencyKey: call.headers["idempotency-key"] ?? "",
      card: call.body.card,
    };
    const { booking } = await confirmBooking(call.services.db, input, call.now);
    return bookingAnswer(call, booking.id);
  },

  async release(call) {
    const ended = await endBooking(call.services.db, { userId: callerId(call), bookingId: call.params.bookingId }, call.now);
    return bookingAnswer(call, ended.id);
  },
};
