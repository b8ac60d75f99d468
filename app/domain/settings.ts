import { BOOKING_DEFAULTS } from "~/config.server";

/** Booking rules that come from configuration (MAX_SEATS_PER_HOLD, HOLD_TTL_SECONDS, HOLD_STRATEGY, HOLD_BATCH, MAX_HELD_SEATS_PER_ADDRESS). */
export interface BookingSettings {
  maxSeatsPerHold: number;
  holdTtlSeconds: number;
  holdStrategy: "cas" | "lock";
  /** Optimistic attempts on seats that are still free before the FOR UPDATE fallback. */
  casAttempts: number;
  /**
   * At most this many holds of one show that arrive together are sent in one transaction (group
   * commit, HOLD_BATCH); 1 sends each on its own. See holdTogether in holds.server.ts.
   */
  holdBatch: number;
  /** Seats of one show held at once from one address (an IPv6 /64); 0 turns the brake off (load tests). */
  maxHeldSeatsPerAddress: number;
  /** How much longer a hold may be made, once (HOLD_EXTENSION_SECONDS); 0: never. */
  holdExtensionSeconds: number;
}

/** The defaults live with the settings that override them (config.server.ts), once. */
export const DEFAULT_BOOKING_SETTINGS: BookingSettings = {
  maxSeatsPerHold: BOOKING_DEFAULTS.maxSeatsPerHold,
  holdTtlSeconds: BOOKING_DEFAULTS.holdTtlSeconds,
  holdStrategy: BOOKING_DEFAULTS.holdStrategy,
  casAttempts: BOOKING_DEFAULTS.casAttempts,
  holdBatch: BOOKING_DEFAULTS.holdBatch,
  maxHeldSeatsPerAddress: BOOKING_DEFAULTS.maxHeldSeatsPerAddress,
  holdExtensionSeconds: BOOKING_DEFAULTS.holdExtensionSeconds,
};
