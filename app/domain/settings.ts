/** Booking rules that come from configuration (MAX_SEATS_PER_HOLD, HOLD_TTL_SECONDS, HOLD_STRATEGY). */
export interface BookingSettings {
  maxSeatsPerHold: number;
  holdTtlSeconds: number;
  holdStrategy: "cas" | "lock";
  /** Optimistic attempts on seats that are still free before the FOR UPDATE fallback. */
  casAttempts: number;
}

export const DEFAULT_BOOKING_SETTINGS: BookingSettings = {
  maxSeatsPerHold: 8,
  holdTtlSeconds: 300,
  holdStrategy: "cas",
  casAttempts: 3,
};
