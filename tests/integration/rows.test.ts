/**
 * Row mappers are derived from the schema (app/db/rows.server.ts): a show and a booking read by a
 * raw statement (`to_jsonb`, as the hot paths read them) come out exactly as Drizzle reads them.
 */
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowMapper } from "~/db/rows.server";
import { bookings, shows } from "~/db/schema";
import { placeHold } from "~/domain/holds.server";
import { makeShow, makeUsers, NOW, seatIdsByLabel } from "../support/factories";
import { useTestDatabase } from "../support/test-database";

const t = useTestDatabase();

describe("a row read raw comes out as Drizzle reads it", () => {
  it("for a show (times, numbers, json, nulls) and a booking", async () => {
    const show = await makeShow(t.db);
    const [user] = await makeUsers(t.db, 1);
    const seats = await seatIdsByLabel(t.db, show.id);
    const { booking } = await placeHold(t.db, { userId: user, showId: show.id, seatIds: [Object.values(seats)[0]] }, NOW);
    for (const [table, id] of [
      [shows, show.id],
      [bookings, booking.id],
    ] as const) {
      const [raw] = await t.db.execute<{ row: Record<string, unknown> }>(sql`select to_jsonb(t) as row from ${table} t where t.id = ${id}`);
      const [drizzle] = await t.db.select().from(table).where(eq(table.id, id));
      expect(rowMapper(table)(raw.row)).toEqual(drizzle);
    }
  });
});
