/**
 * The SQL twins of the rules in seat-state.ts, each beside the name of the TypeScript function it
 * mirrors. tests/integration/seat-state.test.ts runs both on the same rows and compares.
 */
import { type AnyColumn, type SQL, sql } from "drizzle-orm";
import { bookings, seats } from "~/db/schema";
import { SEAT_CODES } from "./seat-state";

/** A time as SQL: a Date becomes a parameter; an SQL fragment (a placeholder) is used as it is. */
const at = (now: Date | SQL) => (now instanceof Date ? sql`${now.toISOString()}::timestamptz` : sql`${now}::timestamptz`);
/** A code as an SQL literal (they are single letters from SEAT_CODES, never user input). */
const code = (c: string) => sql.raw(`'${c}'`);

/**
 * The columns a rule reads: the table's own by default, or an alias's (`alias(seats, "s")`), or a
 * CTE's whose columns carry the table's names (`alias(seats, "cur")` for `from cur`).
 */
type Columns<K extends string> = Record<K, AnyColumn | SQL>;
type SeatColumns = Columns<"status" | "expiresAt" | "startsAt" | "holderId">;
type HoldColumns = Columns<"status" | "expiresAt">;

/** Twin of `isTimeUp`: a hold's time is up at its end. */
export const timeIsUp = (expiresAt: AnyColumn | SQL, now: Date | SQL): SQL => sql`(${expiresAt} <= ${at(now)})`;

/** Twin of `isSeatFree`. */
export const seatIsFree = (now: Date | SQL, s: Pick<SeatColumns, "status" | "expiresAt"> = seats): SQL =>
  sql`(${s.status} = 'AVAILABLE' or (${s.status} = 'PENDING' and ${timeIsUp(s.expiresAt, now)}))`;

/** Twin of `isSeatHeld`. */
export const seatIsHeld = (now: Date | SQL, s: Pick<SeatColumns, "status" | "expiresAt"> = seats): SQL =>
  sql`(${s.status} = 'PENDING' and not ${timeIsUp(s.expiresAt, now)})`;

/** A PENDING seat whose hold's time is up: what the sweeper frees (it is already free to buyers: `seatIsFree`). */
export const seatHoldHasEnded = (now: Date | SQL, s: Pick<SeatColumns, "status" | "expiresAt"> = seats): SQL =>
  sql`(${s.status} = 'PENDING' and ${timeIsUp(s.expiresAt, now)})`;

/** Twin of `isHoldLive`. */
export const holdIsLive = (now: Date | SQL, b: HoldColumns = bookings): SQL =>
  sql`(${b.status} = 'HELD' and not ${timeIsUp(b.expiresAt, now)})`;

/** Twin of `hasHoldEnded`. */
export const holdHasEnded = (now: Date | SQL, b: HoldColumns = bookings): SQL =>
  sql`(${b.status} = 'HELD' and ${timeIsUp(b.expiresAt, now)})`;

/** Twin of `hasStarted`. */
export const seatHasStarted = (now: Date | SQL, s: Pick<SeatColumns, "startsAt"> = seats): SQL => sql`(${s.startsAt} <= ${at(now)})`;

/** Twin of `seatCode`: one character per seat for a viewer (null when nobody is signed in). */
export const seatCodeOf = (viewerId: string | null | SQL, now: Date | SQL, s: SeatColumns = seats): SQL<string> =>
  sql<string>`case
    when ${seatIsFree(now, s)} then case when ${seatHasStarted(now, s)} then ${code(SEAT_CODES.past)} else ${code(SEAT_CODES.available)} end
    when ${s.status} = 'BOOKED' then ${code(SEAT_CODES.booked)}
    when ${s.status} = 'BLOCKED' then ${code(SEAT_CODES.blocked)}
    when ${s.holderId} = ${viewerId}::uuid then ${code(SEAT_CODES.yours)}
    else ${code(SEAT_CODES.held)}
  end`;

/** A seat a buyer could hold right now: free, and its time not yet come. */
export const seatIsForSale = (now: Date | SQL, s: Pick<SeatColumns, "status" | "expiresAt" | "startsAt"> = seats): SQL =>
  sql`(${seatIsFree(now, s)} and not ${seatHasStarted(now, s)})`;
