/**
 * What the seat map page costs to serve, next to a plain JSON list of the same seats.
 *
 * Starts Holdfast (the same code as `npm start`, NODE_ENV=production) on a benchmark database
 * with a 500-seat theatre (a third of it held) and the 20,000-seat arena, then loads each URL
 * with CONCURRENCY requests in flight for SECONDS seconds and prints requests per second,
 * latency and response size. Needs `npm run build` first.
 *
 *   npx tsx bench/seat-map.ts
 *   CONCURRENCY=16 SECONDS=10 npx tsx bench/seat-map.ts
 */

import { randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import { gzipSync } from "node:zlib";
import { users } from "~/db/schema";
import { placeHold } from "~/domain/holds.server";
import { DEMO_LAYOUTS, type LayoutSpec } from "~/domain/layouts";
import { createShow } from "~/domain/shows.server";
import { startServer } from "~/server/start.server";
import { benchDatabase, ms, percentile } from "./support";

// React and Remix pick their production builds from this, as `NODE_ENV=production npm start` would.
process.env.NODE_ENV = "production";

const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const SECONDS = Number(process.env.SECONDS ?? 5);

function get(url: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: keepAlive }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}
const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 });

async function load(name: string, url: string) {
  const first = await get(url);
  if (first.status !== 200) throw new Error(`${url} answered ${first.status}`);
  for (let i = 0; i < 20; i++) await get(url); // warm caches and the JIT
  const latencies: number[] = [];
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        const r = await get(url);
        if (r.status !== 200) throw new Error(`${url} answered ${r.status}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const rps = latencies.length / SECONDS;
  console.log(
    `${name.padEnd(34)} ${rps.toFixed(0).padStart(6)} req/s   p50 ${ms(percentile(latencies, 50)).padStart(9)}   p95 ${ms(
      percentile(latencies, 95),
    ).padStart(
      9,
    )}   ${(first.body.length / 1024).toFixed(1).padStart(7)} KiB (${(gzipSync(first.body).length / 1024).toFixed(1)} KiB gzip)`,
  );
  return rps;
}

const database = await benchDatabase(12);
const { db } = database;
const benchShow = (name: string, layout: LayoutSpec) =>
  createShow(db, {
    name,
    venue: "Bench",
    city: "Bench",
    startsAt: new Date(Date.now() + 86_400_000),
    priceCents: 3000,
    currency: "GBP",
    layout,
  });
const theatre = await benchShow("Bench Theatre", { kind: "THEATRE", rows: 20, seatsPerRow: 25, aisleAfter: [5, 20] });
const arena = await benchShow("Bench Arena", DEMO_LAYOUTS.arena);
// A third of the theatre is held, so the map has every kind of seat.
const holders = Array.from({ length: 42 }, () => randomUUID());
await db.insert(users).values(holders.map((id) => ({ id, name: "Holder", email: `${id}@bench.test`, passwordHash: "x" })));
const seatIds = (await db.query.seats.findMany({ where: (s, { eq }) => eq(s.showId, theatre.id), columns: { id: true } })).map((s) => s.id);
for (const [i, userId] of holders.entries()) {
  await placeHold(db, { userId, showId: theatre.id, seatIds: seatIds.slice(i * 12, i * 12 + 4) });
}

const server = await startServer({
  env: {
    NODE_ENV: "production",
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: database.url,
    SESSION_SECRET: "bench-secret-bench-secret-bench-secret",
    LOG_LEVEL: "error",
    AUTH_RATE_LIMIT_PER_MINUTE: "0",
  },
});
try {
  console.log(`seat map benchmark: ${CONCURRENCY} requests in flight, ${SECONDS} s each, NODE_ENV=production\n`);
  const json500 = await load("500 seats · JSON list (API)", `${server.url}/api/v1/shows/${theatre.id}/seats`);
  const page500 = await load("500 seats · seat map page", `${server.url}/shows/${theatre.id}`);
  await load("20,000 seats · JSON list (API)", `${server.url}/api/v1/shows/${arena.id}/seats`);
  await load("20,000 seats · seat map page", `${server.url}/shows/${arena.id}`);
  await load("show list (home page)", `${server.url}/`);
  console.log(`\n500-seat page / JSON list: ${(page500 / json500).toFixed(2)}× the request rate (≥ 1 means the page costs no more)`);
} finally {
  keepAlive.destroy();
  await server.close();
  await database.stop();
}
process.exit(0);
