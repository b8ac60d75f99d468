import type { Booking } from "~/db/schema";

const date = (value: unknown) => (value === null || value === undefined ? null : new Date(String(value)));

/**
 * A booking as the hot paths' raw statements return it (`to_jsonb(bookings)`, snake_case, times
 * as text), in the shape Drizzle gives everywhere else.
 */
export function bookingFromRow(row: Record<string, unknown>): Booking {
  return {
    id: String(row.id),
    reference: String(row.reference),
    userId: String(row.user_id),
    showId: String(row.show_id),
    status: row.status as Booking["status"],
    expiresAt: date(row.expires_at) as Date,
    seatCount: Number(row.seat_count),
    amountCents: Number(row.amount_cents),
    currency: String(row.currency),
    idempotencyKey: row.idempotency_key === null || row.idempotency_key === undefined ? null : String(row.idempotency_key),
    createdAt: date(row.created_at) as Date,
    updatedAt: date(row.updated_at) as Date,
    confirmedAt: date(row.confirmed_at),
    cancelledAt: date(row.cancelled_at),
    extendedAt: date(row.extended_at),
    clientAddress: row.client_address === null || row.client_address === undefined ? null : String(row.client_address),
  };
}
