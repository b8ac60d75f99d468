/**
 * What a seat's state means, in one place. Isomorphic: the browser's seat map uses the codes,
 * the server's rules use the checks. Every rule here has an SQL twin in seat-state.server.ts,
 * written next to it so that the two can never drift apart; tests/integration/seat-state.test.ts
 * checks each pair against the other on the same rows.
 */

/** Stored seat statuses, the seed's words: free, held by a live or ended hold, sold; and not for sale (an admin's block). */
export const SEAT_STATUSES = ["AVAILABLE", "PENDING", "BOOKED", "BLOCKED"] as const;
export type StoredSeatStatus = (typeof SEAT_STATUSES)[number];

/** Stored booking statuses: a hold, a sale, and the three ways they end. */
export const BOOKING_STATUSES = ["HELD", "CONFIRMED", "RELEASED", "EXPIRED", "CANCELLED"] as const;

/**
 * Every seat's state for one viewer, as one character: it is what the seat map refreshes. A is
 * free to hold, H held by someone else, Y held by you, B booked, X not for sale (blocked by the
 * venue), P past (its time has come and it was never sold: a clinic slot earlier today).
 */
export const SEAT_CODES = { available: "A", held: "H", yours: "Y", booked: "B", blocked: "X", past: "P" } as const;
export type SeatCode = (typeof SEAT_CODES)[keyof typeof SEAT_CODES];

export interface SeatStateFields {
  status: StoredSeatStatus;
  expiresAt: Date | null;
  startsAt: Date;
  holderId?: string | null;
}

/**
 * A hold lasts until its end, exclusive: at `expiresAt` its time is up, whether or not the sweeper
 * has marked it yet (expiry never waits for the sweeper). Every rule about live and ended holds
 * below is made of this one. SQL twin: `timeIsUp`.
 */
export function isTimeUp(expiresAt: Date | null, now: Date): boolean {
  return expiresAt !== null && expiresAt.getTime() <= now.getTime();
}

/** A seat is free when AVAILABLE, or PENDING under a hold whose time is up. SQL twin: `seatIsFree` in seat-state.server.ts. */
export function isSeatFree(seat: Pick<SeatStateFields, "status" | "expiresAt">, now: Date): boolean {
  return seat.status === "AVAILABLE" || (seat.status === "PENDING" && isTimeUp(seat.expiresAt, now));
}

/** A seat under a live hold (anyone's). SQL twin: `seatIsHeld`. */
export function isSeatHeld(seat: Pick<SeatStateFields, "status" | "expiresAt">, now: Date): boolean {
  return seat.status === "PENDING" && !isTimeUp(seat.expiresAt, now);
}

/** What a booking's hold needs: its stored status and end. */
export interface HoldFields {
  status: string;
  expiresAt: Date | null;
}

/** A booking whose hold is live: HELD, its time not up. SQL twin: `holdIsLive`. */
export function isHoldLive(booking: HoldFields, now: Date): boolean {
  return booking.status === "HELD" && !isTimeUp(booking.expiresAt, now);
}

/** A HELD booking whose time is up: EXPIRED to everyone, before the sweeper marks it. SQL twin: `holdHasEnded`. */
export function hasHoldEnded(booking: HoldFields, now: Date): boolean {
  return booking.status === "HELD" && isTimeUp(booking.expiresAt, now);
}

/**
 * A seat's time has come at its own start: the show's curtain for a theatre or a coach, the
 * slot's time for a clinic appointment, so a 16:00 slot can still be booked at 10:00 that day.
 * From then on it cannot be held, paid for or cancelled. SQL twin: `seatHasStarted`.
 */
export function hasStarted(seat: Pick<SeatStateFields, "startsAt">, now: Date): boolean {
  return seat.startsAt.getTime() <= now.getTime();
}

/** The seat's code for a viewer (null when nobody is signed in). SQL twin: `seatCodeOf`. */
export function seatCode(seat: SeatStateFields, viewerId: string | null, now: Date): SeatCode {
  if (isSeatFree(seat, now)) return hasStarted(seat, now) ? SEAT_CODES.past : SEAT_CODES.available;
  if (seat.status === "BOOKED") return SEAT_CODES.booked;
  if (seat.status === "BLOCKED") return SEAT_CODES.blocked;
  return viewerId !== null && seat.holderId === viewerId ? SEAT_CODES.yours : SEAT_CODES.held;
}

/** How many seats a string of codes offers for sale. */
export function countAvailable(codes: string): number {
  let n = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i] === SEAT_CODES.available) n++;
  return n;
}

/**
 * A seat's code in the stored words the API uses: held by anyone is PENDING, and a seat that is
 * not for sale, whether blocked by the venue or past its time, is BLOCKED. Whose hold it is
 * travels separately (`mine`), and only for the viewer's own.
 */
export const STATUS_OF_SEAT_CODE: Record<SeatCode, StoredSeatStatus> = {
  A: "AVAILABLE",
  H: "PENDING",
  Y: "PENDING",
  B: "BOOKED",
  X: "BLOCKED",
  P: "BLOCKED",
};

/** The inverse, for a viewer: the code the seat map shows for a seat the API described. */
export function seatCodeOfStatus(status: StoredSeatStatus, mine: boolean): SeatCode {
  if (status === "PENDING") return mine ? SEAT_CODES.yours : SEAT_CODES.held;
  return status === "AVAILABLE" ? SEAT_CODES.available : status === "BOOKED" ? SEAT_CODES.booked : SEAT_CODES.blocked;
}
