/**
 * What the outbox costs the hold: the domain's hold on postgres.js (no HTTP), with the audit log's
 * outbox trigger on and off, in alternating rounds in one run, on one fresh database. Reports the
 * hold's wall time and PostgreSQL's CPU (from /proc) per hold for each, and their ratio.
 *
 *   npx tsx bench/outbox-cost.ts [--rounds 6] [--holds 400] [--clients 8]
 */
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { placeHold } from "~/domain/holds.server";
import { freshDatabase } from "./lib/database";
import { makeBuyers, makeShow, seatIdsOf } from "./lib/fixtures";
import { machineDescription, postgresCpuMs } from "./lib/proc";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "6" },
    holds: { type: "string", default: "400" },
    clients: { type: "string", default: "8" },
  },
});
const ROUNDS = Number(args.rounds);
const HOLDS = Number(args.holds);
const CLIENTS = Number(args.clients);

const database = await freshDatabase(CLIENTS + 2);
try {
  const { db } = database;
  const buyers = await makeBuyers(db, HOLDS);
  const totals = { on: { ms: 0, pgMs: 0, holds: 0 }, off: { ms: 0, pgMs: 0, holds: 0 } };
  for (let round = 0; round < ROUNDS * 2; round++) {
    const variant = round % 2 === 0 ? "on" : "off";
    await db.execute(sql.raw(`alter table audit_log ${variant === "on" ? "enable" : "disable"} trigger audit_log_outbox`));
    // A show of its own each round: every hold takes a free seat, one buyer one seat.
    const show = await makeShow(db, `Outbox ${round}`, { kind: "THEATRE", rows: Math.ceil(HOLDS / 20), seatsPerRow: 20, aisleAfter: [] });
    const seats = await seatIdsOf(db, show.id);
    let next = 0;
    const pgBefore = postgresCpuMs();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let i = next++; i < HOLDS; i = next++) {
          await placeHold(db, { userId: buyers[i].id, showId: show.id, seatIds: [seats[i]] });
        }
      }),
    );
    totals[variant].ms += performance.now() - started;
    totals[variant].pgMs += postgresCpuMs() - pgBefore;
    totals[variant].holds += HOLDS;
    await db.execute(sql`delete from outbox`);
  }
  await db.execute(sql`alter table audit_log enable trigger audit_log_outbox`);
  const per = (v: "on" | "off") => ({ ms: totals[v].ms / totals[v].holds, pg: totals[v].pgMs / totals[v].holds });
  const on = per("on");
  const off = per("off");
  console.log(
    `Outbox cost on the hold · ${machineDescription()} · ${ROUNDS} rounds each, alternating, ${HOLDS} holds by ${CLIENTS} clients`,
  );
  console.log("| trigger | wall ms/hold | holds/s | PostgreSQL CPU ms/hold |");
  console.log("|---|---|---|---|");
  for (const [name, v] of [
    ["off (reference)", off],
    ["on (candidate)", on],
  ] as const)
    console.log(`| ${name} | ${v.ms.toFixed(3)} | ${(1000 / v.ms).toFixed(0)} | ${v.pg.toFixed(3)} |`);
  console.log(`ratio on/off: wall ${(on.ms / off.ms).toFixed(2)}×, PostgreSQL CPU ${(on.pg / off.pg).toFixed(2)}×`);
} finally {
  await database.stop();
}
