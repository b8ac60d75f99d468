/**
 * Flash-sale benchmark for holds: BUYERS people at once each try to hold 2 of the HOT best seats of
 * a 20,000-seat arena, CONCURRENCY at a time. Prints throughput, latency percentiles, how many
 * holds fell back to FOR UPDATE, and checks that no seat ended in two bookings.
 *
 *   npx tsx bench/holds.ts                 # both strategies
 *   HOLD_STRATEGY=lock npx tsx bench/holds.ts
 *   BUYERS=5000 CONCURRENCY=50 HOT=400 npx tsx bench/holds.ts
 */
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { users } from "~/db/schema";
import { SeatsUnavailable } from "~/domain/errors";
import { placeHold } from "~/domain/holds.server";
import { DEMO_LAYOUTS } from "~/domain/layouts";
import { DEFAULT_BOOKING_SETTINGS } from "~/domain/settings";
import { createShow } from "~/domain/shows.server";
import { benchDatabase, ms, percentile } from "./support";

const BUYERS = Number(process.env.BUYERS ?? 2000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const HOT = Number(process.env.HOT ?? 200);
const strategies = process.env.HOLD_STRATEGY ? [process.env.HOLD_STRATEGY as "cas" | "lock"] : (["cas", "lock"] as const);

const database = await benchDatabase(CONCURRENCY + 2);
const { db } = database;
try {
  const buyerIds = Array.from({ length: BUYERS }, () => randomUUID());
  for (let i = 0; i < buyerIds.length; i += 1000) {
    await db
      .insert(users)
      .values(buyerIds.slice(i, i + 1000).map((id) => ({ id, name: "Buyer", email: `${id}@bench.test`, passwordHash: "x" })));
  }
  // Open every pooled connection first (scram authentication is slow): measure holds, not logins.
  await Promise.all(Array.from({ length: CONCURRENCY }, () => database.sql`select pg_sleep(0.05)`));
  console.log(`holds benchmark: ${BUYERS} buyers, ${CONCURRENCY} at a time, 2 seats each from the ${HOT} best of 20,000`);
  async function sale(strategy: "cas" | "lock", buyers: string[]) {
    const show = await createShow(db, {
      name: `Arena ${strategy}`,
      venue: "Bench",
      city: "Bench",
      startsAt: new Date(Date.now() + 86_400_000),
      priceCents: 5000,
      currency: "GBP",
      layout: DEMO_LAYOUTS.arena,
    });
    const hot = (await db.execute<{ id: string }>(sql`select id from seats where show_id = ${show.id} order by id limit ${HOT}`)).map((r) =>
      Number(r.id),
    );
    const settings = { ...DEFAULT_BOOKING_SETTINGS, holdStrategy: strategy };
    const latencies: number[] = [];
    let won = 0;
    let conflicts = 0;
    let fellBack = 0;
    const failures: string[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < buyers.length) {
          const buyer = buyers[next++];
          const a = hot[Math.floor(Math.random() * hot.length)];
          let b = hot[Math.floor(Math.random() * hot.length)];
          if (b === a) b = hot[(hot.indexOf(a) + 1) % hot.length];
          const t0 = performance.now();
          try {
            const result = await placeHold(db, { userId: buyer, showId: show.id, seatIds: [a, b] }, new Date(), settings);
            won++;
            if (strategy === "cas" && result.path === "lock") fellBack++;
          } catch (error) {
            if (error instanceof SeatsUnavailable) conflicts++;
            else failures.push(error instanceof Error ? error.message : String(error));
          }
          latencies.push(performance.now() - t0);
        }
      }),
    );
    return { show, latencies, won, conflicts, fellBack, failures, seconds: (performance.now() - started) / 1000 };
  }

  for (const strategy of strategies) {
    // A short unmeasured sale first, so both strategies are timed on a warm process and database.
    await sale(strategy, buyerIds.slice(0, 300));
    const { show, latencies, won, conflicts, fellBack, failures, seconds } = await sale(strategy, buyerIds);
    latencies.sort((x, y) => x - y);
    const [{ doubled }] = await db.execute<{ doubled: number }>(sql`
      select count(*)::int as doubled from (
        select bs.seat_id from booking_seats bs join bookings b on b.id = bs.booking_id
        where b.show_id = ${show.id} and b.status in ('HELD', 'CONFIRMED') group by bs.seat_id having count(*) > 1) x`);
    console.log(
      [
        `\nHOLD_STRATEGY=${strategy}`,
        `  attempts/s     ${(BUYERS / seconds).toFixed(0)}  (${BUYERS} in ${seconds.toFixed(2)} s)`,
        `  held           ${won} holds (${won * 2} of ${HOT} hot seats), ${conflicts} clean conflicts, ${failures.length} other errors`,
        strategy === "cas" ? `  fell back      ${fellBack} holds decided by the FOR UPDATE path` : "",
        `  latency        p50 ${ms(percentile(latencies, 50))}  p95 ${ms(percentile(latencies, 95))}  p99 ${ms(percentile(latencies, 99))}  max ${ms(latencies[latencies.length - 1])}`,
        `  seats in two live bookings: ${doubled}`,
      ]
        .filter(Boolean)
        .join("\n"),
    );
    if (failures.length) console.log(`  first error: ${failures[0]}`);
    if (doubled !== 0 || failures.length) process.exitCode = 1;
  }
} finally {
  await database.stop();
}
process.exit(process.exitCode ?? 0);
