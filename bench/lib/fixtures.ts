/** What a benchmark needs in the database: shows, buyers and their session cookies. */
import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { createSessions } from "~/auth/cookie.server";
import { createTokenService } from "~/auth/tokens.server";
import type { Db } from "~/db/client.server";
import { sessions, users } from "~/db/schema";
import type { LayoutSpec } from "~/domain/layouts";
import { hashSessionId } from "~/domain/sessions.server";
import { createShow } from "~/domain/shows.server";

export const BENCH_SECRET = "holdfast-benchmark-session-secret-0123456789";

export interface Buyer {
  id: string;
  cookie: string;
  /** An API bearer token, as POST /api/v1/auth/token would give it. */
  token: string;
}

/** `count` buyers, inserted in bulk, each with a signed session cookie as a log-in would set it and an API token. */
export async function makeBuyers(db: Db, count: number): Promise<Buyer[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  for (let i = 0; i < ids.length; i += 2000) {
    await db
      .insert(users)
      .values(ids.slice(i, i + 2000).map((id) => ({ id, name: `Buyer ${id.slice(0, 6)}`, email: `${id}@bench.test`, passwordHash: "x" })));
  }
  const cookies = createSessions({ secret: BENCH_SECRET, secure: false });
  const tokens = createTokenService({ sessionSecret: BENCH_SECRET, ttlSeconds: 3600 });
  // Each buyer is signed in twice, as a browser and as an API client: two server-side sessions.
  const now = new Date();
  const expiresAt = new Date(now.getTime() + 3600_000);
  const buyers = await Promise.all(
    ids.map(async (id) => {
      const web = randomBytes(32).toString("base64url");
      const api = randomBytes(32).toString("base64url");
      const session = await cookies.getSession();
      session.set("userId", id);
      session.set("sid", web);
      session.set("exp", expiresAt.getTime());
      const [pair] = (await cookies.commitSession(session)).split(";");
      return { id, cookie: pair, token: (await tokens.issue(id, api, now)).token, web, api };
    }),
  );
  const rows = buyers.flatMap((b) => [
    { idHash: hashSessionId(b.web), userId: b.id, kind: "WEB" as const, createdAt: now, expiresAt },
    { idHash: hashSessionId(b.api), userId: b.id, kind: "API" as const, createdAt: now, expiresAt },
  ]);
  for (let i = 0; i < rows.length; i += 2000) await db.insert(sessions).values(rows.slice(i, i + 2000));
  return buyers.map(({ id, cookie, token }) => ({ id, cookie, token }));
}

/** Whether show creation analyses the seats afterwards, as the app does (off for --never-analysed). */
export const showCreation = { analyse: true };

export async function makeShow(
  db: Db,
  name: string,
  layout: LayoutSpec,
  priceZones?: Array<{ name: string; priceCents: number }>,
): Promise<{ id: string; seconds: number }> {
  const started = performance.now();
  const show = await createShow(
    db,
    {
      name,
      venue: "Bench Arena",
      city: "Benchville",
      timeZone: "Europe/London",
      startsAt: new Date(Date.now() + 30 * 86_400_000),
      priceCents: 5000,
      currency: "GBP",
      layout,
      ...(priceZones ? { priceZones } : {}),
    },
    undefined,
    showCreation,
  );
  return { id: show.id, seconds: (performance.now() - started) / 1000 };
}

/** A show's seat ids in order, or one section's. */
export async function seatIdsOf(db: Db, showId: string, section?: string): Promise<number[]> {
  const rows = await db.execute<{ id: string }>(
    section === undefined
      ? sql`select id from seats where show_id = ${showId} order by id`
      : sql`select id from seats where show_id = ${showId} and section = ${section} order by id`,
  );
  return rows.map((r) => Number(r.id));
}
