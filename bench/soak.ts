/**
 * The soak (issue 11): `npm run soak -- --ops 1000000` (or `--seconds 20`).
 *
 * Many simulated buyers, over HTTP against the real server (the compiled one `npm start` runs, on
 * a fresh database), doing random holds, payments (approved and declined cards, idempotency keys
 * sent again), releases, cancels and reads, with holds that expire on a short TTL while the
 * server's sweeper runs every second. Every answer is recorded. At the end the history and the
 * database are checked against the promise:
 *
 * - no seat in two live bookings, and every seat agrees with its booking;
 * - every hold a client was told of is stored, for that client, with its seats;
 * - every payment a client was told succeeded is CONFIRMED (or CANCELLED by that client later),
 *   and was charged once: one SUCCEEDED (or REFUNDED) payment per paid booking, never two;
 * - a key sent again gets the same answer, never a second charge;
 * - counts add up: the paid bookings in the database are the payments seen minus the cancels seen.
 *
 * It prints operations per second and the number of violations, and exits 1 on any violation or
 * any answer outside the contract (a 5xx, an unexpected status).
 */
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { freshDatabase } from "./lib/database";
import { BENCH_SECRET, makeBuyers, makeShow, seatIdsOf } from "./lib/fixtures";
import { checkInvariants, type SeenHold, violationCount } from "./lib/invariants";
import { machineDescription } from "./lib/proc";
import { startServerProcess } from "./lib/server";

const { values: args } = parseArgs({
  options: {
    ops: { type: "string" },
    seconds: { type: "string" },
    clients: { type: "string", default: "32" },
    buyers: { type: "string", default: "400" },
  },
});
const OPS = args.ops ? Number(args.ops) : Number.POSITIVE_INFINITY;
const SECONDS = args.seconds ? Number(args.seconds) : args.ops ? Number.POSITIVE_INFINITY : 20;
const CLIENTS = Number(args.clients);
const BUYERS = Number(args.buyers);
const TTL_SECONDS = 3;
const APPROVE = "4242 4242 4242 4242";
const DECLINE = "4000 0000 0000 0002";

type Op = "hold" | "pay" | "pay again" | "release" | "cancel" | "read";
interface Held {
  bookingId: string;
  userId: string;
  token: string;
  seatIds: number[];
  key?: string;
  card?: string;
  /** One request at a time per booking, as one buyer's browser would: the history stays exact. */
  busy?: boolean;
  /** What the client was last told: held, paid, released, cancelled, expired. */
  state: "held" | "paid" | "released" | "cancelled" | "expired" | "declined";
}

const random = (n: number) => Math.floor(Math.random() * n);
const pickFrom = <T>(items: T[]): T | undefined => (items.length ? items[random(items.length)] : undefined);

const database = await freshDatabase(8);
const { db } = database;
let exitCode = 0;
let server: Awaited<ReturnType<typeof startServerProcess>> | undefined;
try {
  const buyers = await makeBuyers(db, BUYERS);
  const show = await makeShow(db, "soak", { kind: "THEATRE", rows: 10, seatsPerRow: 30, aisleAfter: [15] });
  const seats = await seatIdsOf(db, show.id);
  server = await startServerProcess({
    DATABASE_URL: database.url,
    SESSION_SECRET: BENCH_SECRET,
    AUTH_RATE_LIMIT_PER_MINUTE: "0",
    MAX_HELD_SEATS_PER_ADDRESS: "0",
    HOLD_TTL_SECONDS: String(TTL_SECONDS),
    SWEEP_INTERVAL_SECONDS: "1",
    DB_POOL_SIZE: String(Math.min(50, Math.max(10, CLIENTS))),
  });
  const base = server.url;
  console.log(
    `Holdfast soak: ${machineDescription()}; ${CLIENTS} clients, ${BUYERS} buyers, ${seats.length} seats, holds end after ${TTL_SECONDS} s; ` +
      (Number.isFinite(OPS) ? `${OPS.toLocaleString("en")} operations` : `${SECONDS} s`),
  );

  const holds: Held[] = [];
  const byId = new Map<string, Held>();
  const live: Held[] = []; // held or paid, as far as the clients know
  const counts = new Map<string, number>();
  const unexpected: string[] = [];
  const count = (op: Op, status: number) => counts.set(`${op} ${status}`, (counts.get(`${op} ${status}`) ?? 0) + 1);
  const expect = (op: Op, status: number, allowed: number[], body: string) => {
    count(op, status);
    if (!allowed.includes(status) && unexpected.length < 20) unexpected.push(`${op} → ${status} ${body.slice(0, 200)}`);
    if (!allowed.includes(status)) exitCode = 1;
  };
  const call = async (method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, text: await response.text() };
  };
  const drop = (h: Held) => {
    const at = live.indexOf(h);
    if (at >= 0) live.splice(at, 1);
  };

  let done = 0;
  const started = Date.now();
  const until = started + SECONDS * 1000;
  const more = () => done < OPS && Date.now() < until;

  const step = async () => {
    const roll = random(100);
    let target: Held | undefined;
    for (let tries = 0; tries < 5 && !target; tries++) {
      const candidate = pickFrom(live);
      if (candidate && !candidate.busy) target = candidate;
    }
    if (target) target.busy = true;
    try {
      await act(roll, target);
    } finally {
      if (target) target.busy = false;
    }
    done++;
  };

  const act = async (roll: number, target: Held | undefined) => {
    if (roll < 45 || !target) {
      const buyer = buyers[random(buyers.length)];
      const want = [...new Set(Array.from({ length: 1 + random(3) }, () => seats[random(40)]))]; // 40 hot seats
      const r = await call("POST", `/api/v1/shows/${show.id}/holds`, buyer.token, { seatIds: want });
      expect("hold", r.status, [201, 409], r.text);
      if (r.status === 201) {
        const bookingId = JSON.parse(r.text).booking.id as string;
        // The same seats asked again while the buyer's hold of them is live give back that hold
        // (a double submit): one booking, one history.
        if (!byId.has(bookingId)) {
          const h: Held = { bookingId, userId: buyer.id, token: buyer.token, seatIds: want, state: "held" };
          byId.set(bookingId, h);
          holds.push(h);
          live.push(h);
        }
      }
    } else if (roll < 75 && target.state === "held") {
      // One card per booking and key: the same key with another card is a different payment (422).
      target.card ??= random(5) === 0 ? DECLINE : APPROVE;
      target.key ??= `soak-${target.bookingId}`;
      const r = await call(
        "POST",
        `/api/v1/bookings/${target.bookingId}/confirm`,
        target.token,
        { card: target.card },
        { "Idempotency-Key": target.key },
      );
      expect("pay", r.status, [200, 402, 409, 410], r.text);
      if (r.status === 200) target.state = "paid";
      else if (r.status === 402) target.state = "declined";
      else if (r.status === 410) {
        target.state = "expired";
        drop(target);
      }
    } else if (roll < 82 && target.key && (target.state === "paid" || target.state === "declined")) {
      // The same key and card again: the same answer, never a second charge.
      const r = await call(
        "POST",
        `/api/v1/bookings/${target.bookingId}/confirm`,
        target.token,
        { card: target.card },
        { "Idempotency-Key": target.key },
      );
      expect("pay again", r.status, target.state === "paid" ? [200] : [402], r.text);
    } else if (roll < 92) {
      const r = await call("DELETE", `/api/v1/bookings/${target.bookingId}`, target.token);
      const op: Op = target.state === "paid" ? "cancel" : "release";
      expect(op, r.status, [200, 409, 410], r.text);
      if (r.status === 200) {
        target.state = op === "cancel" ? "cancelled" : "released";
        drop(target);
      } else if (r.status === 410) {
        target.state = "expired";
        drop(target);
      }
    } else {
      const r = await call("GET", `/api/v1/bookings/${target.bookingId}`, target.token);
      expect("read", r.status, [200], r.text);
      if (r.status === 200 && target.state === "held" && JSON.parse(r.text).booking.status === "EXPIRED") {
        target.state = "expired";
        drop(target);
      }
    }
    // Keep the live list small: the oldest are left alone from here on (their last answer stands).
    if (live.length > 2000) live.splice(0, live.length - 2000);
  };

  let lastReport = started;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (more()) {
        await step();
        if (Date.now() - lastReport > 10_000) {
          lastReport = Date.now();
          const seconds = (lastReport - started) / 1000;
          console.log(`  ${done.toLocaleString("en")} operations in ${seconds.toFixed(0)} s (${Math.round(done / seconds)}/s)`);
        }
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;

  // Let every hold end and the sweeper run, then check.
  await new Promise((r) => setTimeout(r, (TTL_SECONDS + 2) * 1000));
  const now = new Date();
  const seen: SeenHold[] = holds.map((h) => ({ bookingId: h.bookingId, userId: h.userId, seatIds: h.seatIds }));
  const v = await checkInvariants(db, show.id, seen, now);
  const examples = [...v.examples];

  const rows = await db.execute<{ id: string; status: string; succeeded: number; refunded: number }>(sql`
    select b.id, b.status,
      (select count(*)::int from payments p where p.booking_id = b.id and p.status = 'SUCCEEDED') as succeeded,
      (select count(*)::int from payments p where p.booking_id = b.id and p.status = 'REFUNDED') as refunded
    from bookings b where b.show_id = ${show.id}`);
  const stored = new Map(rows.map((r) => [r.id, r]));
  let lostPayments = 0;
  let doubleCharges = 0;
  let wrongState = 0;
  for (const h of holds) {
    const row = stored.get(h.bookingId);
    if (!row) continue; // counted as a missing hold by checkInvariants
    if (row.succeeded + row.refunded > 1) {
      doubleCharges++;
      examples.push(`booking ${h.bookingId} charged ${row.succeeded + row.refunded} times`);
    }
    const ok =
      h.state === "paid"
        ? row.status === "CONFIRMED" && row.succeeded === 1
        : h.state === "cancelled"
          ? row.status === "CANCELLED" && row.refunded === 1 && row.succeeded === 0
          : h.state === "released"
            ? row.status === "RELEASED" || row.status === "EXPIRED"
            : row.status !== "CONFIRMED" || row.succeeded === 1; // held, declined, expired: never paid behind the client's back
    if (!ok) {
      if (h.state === "paid") lostPayments++;
      else wrongState++;
      if (examples.length < 10)
        examples.push(`booking ${h.bookingId}: told ${h.state}, stored ${row.status} (${row.succeeded} paid, ${row.refunded} refunded)`);
    }
  }
  const paidSeen = holds.filter((h) => h.state === "paid").length;
  const paidStored = rows.filter((r) => r.status === "CONFIRMED").length;
  const countsAddUp = paidSeen === paidStored;
  if (!countsAddUp) examples.push(`${paidSeen} bookings paid as the clients know, ${paidStored} CONFIRMED in the database`);

  const violations = violationCount(v) + lostPayments + doubleCharges + wrongState + (countsAddUp ? 0 : 1);
  console.log(
    `\n${done.toLocaleString("en")} operations in ${seconds.toFixed(1)} s: ${Math.round(done / seconds).toLocaleString("en")} operations/s`,
  );
  for (const [key, n] of [...counts].sort()) console.log(`  ${key.padEnd(16)} ${n.toLocaleString("en")}`);
  console.log(
    `holds told: ${holds.length.toLocaleString("en")}; paid: ${paidSeen.toLocaleString("en")} (database: ${paidStored.toLocaleString("en")} CONFIRMED); ` +
      `cancelled: ${holds.filter((h) => h.state === "cancelled").length}; released: ${holds.filter((h) => h.state === "released").length}`,
  );
  console.log(`unexpected answers: ${unexpected.length}${unexpected.length ? `\n  ${unexpected.join("\n  ")}` : ""}`);
  console.log(`violations: ${violations}${examples.length ? `\n  ${examples.slice(0, 10).join("\n  ")}` : ""}`);
  if (violations > 0) exitCode = 1;
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  await server?.stop();
  await database.stop();
}
process.exit(exitCode);
