/** The API's JSON shapes of shows and bookings (http/contract.ts names them), from the domain's rows and views. */
import type { Booking, Show } from "~/db/schema";
import { type BookingView, getBookingForUser } from "~/domain/bookings.server";
import type { ZoneView } from "~/domain/shows.server";
import { bookingFacts, showFacts } from "~/domain/views.server";
import { type ApiCall, callerId } from "~/http/api.server";

export const iso = (date: Date) => date.toISOString();

export function showJson(show: Show, zones: ZoneView[], availableSeats: number) {
  return { ...showFacts(show), priceZones: zones, availableSeats };
}

export function bookingJson(booking: Booking, seats: Array<{ id: number; label: string }>, now: Date) {
  return { ...bookingFacts(booking, now), seats };
}

export function bookingViewJson(view: BookingView, now: Date) {
  const { show } = view;
  return {
    ...bookingJson(view, view.seats, now),
    // The booking's own time: a clinic booking's is its slot's, not the day's first.
    show: { ...showFacts(show), startsAt: iso(view.startsAt) },
  };
}

/** The caller's booking as it stands, for answers whose domain call returns the booking alone. */
export async function bookingAnswer(call: ApiCall, bookingId: string) {
  return { booking: bookingViewJson(await getBookingForUser(call.services.db, callerId(call), bookingId, call.now), call.now) };
}
