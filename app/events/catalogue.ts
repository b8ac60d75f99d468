/**
 * The events Holdfast emits, written to the outbox by the audit log's trigger
 * (drizzle/0012_outbox_trigger.sql) in the transaction of the change itself. docs/events.md is
 * this list for readers; keep the two together.
 */
export const EVENT_NAMES = [
  "booking.held",
  "booking.confirmed",
  "booking.released",
  "booking.expired",
  "booking.cancelled",
  "booking.seats_cancelled",
  "booking.moved",
  "booking.ticket_resent",
  "booking.rescheduled",
  "show.created",
  "show.changed",
  "show.cancelled",
  "show.deleted",
] as const;
export type EventName = (typeof EVENT_NAMES)[number];

/** Every booking.* event's payload (version 1). */
export interface BookingPayload {
  bookingId: string;
  reference: string;
  userId: string | null;
  showId: string;
  seatIds: number[];
  seatLabels: string[];
  amountCents: number | null;
  currency: string | null;
  /** Who made the change: the buyer, an admin, or the system (the sweeper). */
  by: "buyer" | "admin" | "system";
  /** What the venue refunded (booking.seats_cancelled, and a booking.cancelled the venue made). */
  refundCents?: number;
  /** A move's old and new seats, pair by pair (booking.moved). */
  movedFrom?: string[];
  movedTo?: string[];
  /** A new time (booking.rescheduled): the show's start before and after, ISO 8601. */
  from?: string;
  to?: string;
  /** The venue's change behind the event (booking_changes.id). */
  changeId?: number;
}

/** Every show.* event's payload (version 1). */
export interface ShowPayload {
  showId: string;
  /** The audit action behind it: create_show, edit, block, unblock, reset, cancel_show, delete_show. */
  change: string;
  seatLabels?: string[];
}

/** An event as the relay publishes it and consumers receive it. */
export interface HoldfastEvent {
  /** Unique per event: consumers handle each once. */
  id: string;
  name: EventName;
  /** ISO 8601, when the change happened. */
  at: string;
  version: number;
  showId: string | null;
  payload: BookingPayload | ShowPayload | Record<string, unknown>;
}

export const isBookingEvent = (event: HoldfastEvent): event is HoldfastEvent & { payload: BookingPayload } =>
  event.name.startsWith("booking.");
