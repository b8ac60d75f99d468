/**
 * The SQL twins of the rules in seat-state.ts, each beside the name of the TypeScript function it
 * mirrors. tests/integration/seat-state.test.ts runs both on the same rows and compares.
 */
import { type SQL, sql } from "drizzle-orm";
import { seats } from "~/db/schema";
import { SEAT_CODES } from "./seat-state";

/** A time as SQL: a Date becomes a parameter; an SQL fragment (a placeholder) is used as it is. */
const at = (now: Date | SQL) => (now instanceof Date ? sql`${now.toISOString()}::timestamptz` : sql`${now}::timestamptz`);
/** A code as an SQL literal (they are single letters from SEAT_CODES, never user input). */
const code = (c: string) => sql.raw(`'${c}'`);

/** Twin of `isSeatFree`. */
export const seatIsFree = (now: Date | SQL): SQL =>
  sql`(${seats.status} = 'AVAILABLE' or (${seats.status} = 'PENDING' and ${seats.expiresAt} <= ${at(now)}))`;

/** Twin of `hasStarted`. */
export const seatHasStarted = (now: Date | SQL): SQL => sql`(${seats.startsAt} <= ${at(now)})`;

/** Twin of `seatCode`: one character per seat for a viewer (null when nobody is signed in). */
export const seatCodeOf = (viewerId: string | null | SQL, now: Date | SQL): SQL<string> =>
  sql<string>`case
    when ${seatIsFree(now)} then case when ${seatHasStarted(now)} then ${code(SEAT_CODES.past)} else ${code(SEAT_CODES.available)} end
    when ${seats.status} = 'BOOKED' then ${code(SEAT_CODES.booked)}
    when ${seats.status} = 'BLOCKED' then ${code(SEAT_CODES.blocked)}
    when ${seats.holderId} = ${viewerId}::uuid then ${code(SEAT_CODES.yours)}
    else ${code(SEAT_CODES.held)}
  end`;

/** A seat a buyer could hold right now: free, and its time not yet come. */
export const seatIsForSale = (now: Date | SQL): SQL => sql`(${seatIsFree(now)} and not ${seatHasStarted(now)})`;
