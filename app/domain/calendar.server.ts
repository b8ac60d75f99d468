import { createEvent } from "ics";
import type { DbOrTx } from "~/db/client.server";
import { type BookingView, getBookingForUser } from "./bookings.server";
import { listLabels, NotFound } from "./errors";
import type { LayoutSpec } from "./layouts";
import { getShow } from "./shows.server";
import { plural } from "./words";

/** Revisions count seconds from here (RFC 5545's SEQUENCE is a plain integer that must grow). */
const REVISION_EPOCH = Date.UTC(2026, 0, 1);

/**
 * A paid booking as a calendar entry (RFC 5545, through the `ics` library: escaping, line folding
 * and the rest of the format are its job). It starts when the booking's first seat does (a clinic
 * booking: its slot) and lasts the slot for a clinic; a show's or a coach's length is not known
 * here, so its entry marks the start only. Its UID is the booking's, so adding it twice updates it.
 */
export function bookingCalendar(
  booking: Pick<BookingView, "id" | "reference" | "startsAt" | "seats" | "updatedAt"> & {
    show: Pick<BookingView["show"], "name" | "venue" | "city">;
  },
  layout: LayoutSpec,
  holderName: string,
  url: string,
): string {
  const seats = booking.seats.map((s) => s.label);
  const what =
    layout.kind === "DOCTOR" ? `Appointment at ${listLabels(seats)}` : `${plural(seats.length, "Seat", "Seats")} ${listLabels(seats)}`;
  const { error, value } = createEvent({
    uid: `${booking.id}@holdfast`,
    productId: "holdfast/ics",
    start: booking.startsAt.getTime(),
    startInputType: "utc",
    startOutputType: "utc",
    // A zero duration is written as "PT", which is not valid: an end at the start is.
    ...(layout.kind === "DOCTOR"
      ? { duration: { minutes: layout.everyMinutes } }
      : { end: booking.startsAt.getTime(), endInputType: "utc" as const, endOutputType: "utc" as const }),
    title: booking.show.name,
    location: `${booking.show.venue}, ${booking.show.city}`,
    description: `${what} for ${holderName}. Reference ${booking.reference}.`,
    url,
    status: "CONFIRMED",
    busyStatus: "BUSY",
    // Each change of the booking (a new time, moved seats) is a later revision of the same entry.
    sequence: Math.max(0, Math.floor((booking.updatedAt.getTime() - REVISION_EPOCH) / 1000)),
  });
  if (error || !value) throw error ?? new Error("the calendar entry could not be made");
  return value;
}

/** The calendar entry of one of the user's paid bookings; any other booking has none (NotFound). */
export async function ticketCalendar(db: DbOrTx, holder: { id: string; name: string }, bookingId: string, url: string): Promise<string> {
  const booking = await getBookingForUser(db, holder.id, bookingId);
  if (booking.effectiveStatus !== "CONFIRMED") throw new NotFound("This booking has no ticket to put in a calendar");
  const show = await getShow(db, booking.showId);
  return bookingCalendar(booking, show.layout, holder.name, url);
}
