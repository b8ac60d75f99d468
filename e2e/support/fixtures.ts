import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { type BrowserContext, test as base, expect, type Page } from "@playwright/test";
import { and, eq, inArray, sql } from "drizzle-orm";
import { createSessions } from "~/auth/cookie.server";
import { connectDatabase, type Database } from "~/db/client.server";
import { seats, shows as showsTable, users } from "~/db/schema";
import { confirmBooking } from "~/domain/bookings.server";
import { placeHold } from "~/domain/holds.server";
import type { LayoutSpec } from "~/domain/layouts";
import { TEST_CARDS } from "~/domain/payments";
import { startSession } from "~/domain/sessions.server";
import { createShow } from "~/domain/shows.server";
import { FIXTURE_PASSWORD, FIXTURE_PASSWORD_HASH } from "../../tests/support/factories";
import type { E2EState } from "./serve";

export { FIXTURE_PASSWORD };

export interface TestUser {
  id: string;
  name: string;
  email: string;
  password: string;
}

function state(): E2EState {
  return JSON.parse(readFileSync(process.env.HOLDFAST_E2E_STATE!, "utf8"));
}

let database: Database | undefined;
function db() {
  database ??= connectDatabase(state().databaseUrl, { max: 2 });
  return database.db;
}

export interface TestShow {
  id: string;
  name: string;
}

/** Another buyer takes a seat, straight through the domain (as if in another browser). */
export async function holdAsSomeoneElse(userId: string, showId: string, label: string) {
  const [target] = await db()
    .select({ id: seats.id })
    .from(seats)
    .where(and(eq(seats.showId, showId), eq(seats.label, label)));
  await placeHold(db(), { userId, showId, seatIds: [target.id] });
}

/** A paid booking of the seats with these labels, straight through the domain (as if the buyer had paid in another browser). */
export async function paidBooking(userId: string, showId: string, labels: string[]) {
  const rows = await db()
    .select({ id: seats.id, label: seats.label })
    .from(seats)
    .where(and(eq(seats.showId, showId), inArray(seats.label, labels)));
  const { booking } = await placeHold(db(), { userId, showId, seatIds: rows.map((r) => r.id) });
  await confirmBooking(db(), { userId, bookingId: booking.id, idempotencyKey: `e2e-${randomUUID()}`, card: TEST_CARDS.approve });
  return { id: booking.id, reference: booking.reference };
}

/**
 * Every seat of a section sold to the user in one paid booking, written straight into the tables
 * (as a sold-out section would be, without 500 holds through the app): the admin map's worst case,
 * each seat named with its buyer.
 */
export async function sellSection(userId: string, showId: string, section: string) {
  await db().execute(sql`
    with picked as (
      select s.id, z.price_cents from seats s join price_zones z on z.id = s.zone_id where s.show_id = ${showId} and s.section = ${section}
    ), b as (
      insert into bookings (reference, user_id, show_id, status, expires_at, seat_count, amount_cents, currency, created_at, updated_at, confirmed_at)
      select upper(substr(md5(random()::text), 1, 10)), ${userId}, ${showId}, 'CONFIRMED', now(), count(*), sum(price_cents), 'GBP', now(), now(), now()
      from picked
      returning id
    ), linked as (
      insert into booking_seats (booking_id, seat_id, price_cents) select b.id, p.id, p.price_cents from b, picked p
    )
    update seats s set status = 'BOOKED', holder_id = ${userId}, booking_id = (select id from b), expires_at = null, version = version + 1
    where s.id in (select id from picked)`);
}

/** A show's paid seats as the database has them, one line per seat in seat order: what the attendee CSV must say. */
export async function attendeesInDatabase(showId: string) {
  const rows = await db().execute<{
    seat: string;
    reference: string;
    name: string;
    email: string;
    price_cents: number;
    door: string | null;
  }>(sql`
    select s.label as seat, b.reference, u.name, u.email, bs.price_cents, c.door
    from booking_seats bs join bookings b on b.id = bs.booking_id join seats s on s.id = bs.seat_id join users u on u.id = b.user_id
    left join check_ins c on c.booking_id = bs.booking_id and c.seat_id = bs.seat_id
    where b.show_id = ${showId} and b.status = 'CONFIRMED' order by s.id`);
  return rows.map((r) => ({ ...r, price_cents: Number(r.price_cents) }));
}

/** A signed session cookie for the user, with its server-side session, as a log-in would make them. */
export async function sessionCookieFor(userId: string, url: string) {
  const sessions = createSessions({ secret: state().sessionSecret, secure: false });
  const session = await sessions.getSession();
  const expiresAt = new Date(Date.now() + 86_400_000);
  const sid = await startSession(db(), { userId, kind: "WEB", expiresAt });
  session.set("userId", userId);
  session.set("sid", sid);
  session.set("exp", expiresAt.getTime());
  const [pair] = (await sessions.commitSession(session)).split(";");
  const at = pair.indexOf("=");
  return { name: pair.slice(0, at), value: pair.slice(at + 1), url, httpOnly: true, sameSite: "Lax" as const };
}

/** Form and JSON fields whose values are secrets: none may ever be in the server's log. */
const SECRET_FIELD = /pass|card|token|secret/i;

/** Where tests note the secrets their browser sent or got (e2e/logs.spec.ts looks for them in the server's log). */
export const secretsFile = () => path.join(path.dirname(process.env.HOLDFAST_E2E_STATE!), "secrets.txt");

/** The secret values in a request body (a form post or JSON). */
export function secretsIn(body: string | null, type = ""): string[] {
  if (!body) return [];
  const found: string[] = [];
  if (/json/i.test(type)) {
    try {
      JSON.stringify(JSON.parse(body), (key, value) => {
        if (SECRET_FIELD.test(key) && typeof value === "string") found.push(value);
        return value;
      });
    } catch {
      // not JSON after all
    }
  } else if (/urlencoded/i.test(type)) {
    for (const [key, value] of new URLSearchParams(body)) if (SECRET_FIELD.test(key)) found.push(value);
  }
  return found;
}

/** A session cookie's value, and the session id inside it (a base64 JSON payload, then a signature). */
function sessionSecrets(value: string): string[] {
  const out = [value];
  try {
    const decoded = decodeURIComponent(value);
    const payload = JSON.parse(Buffer.from(decoded.slice(0, decoded.lastIndexOf(".")), "base64").toString("utf8"));
    if (typeof payload.sid === "string") out.push(payload.sid);
    out.push(decoded.slice(decoded.lastIndexOf(".") + 1));
  } catch {
    // not a signed session cookie
  }
  return out;
}

/** Notes what a browser context sends and gets that must never be logged. */
function recordSecrets(context: BrowserContext): () => Promise<void> {
  const seen = new Set<string>();
  context.on("request", (request) => {
    for (const value of secretsIn(request.postData(), request.headers()["content-type"])) seen.add(value);
  });
  context.on("response", async (response) => {
    const cookies = (await response.headersArray().catch(() => [])).filter((h) => h.name.toLowerCase() === "set-cookie");
    for (const cookie of cookies) {
      const pair = cookie.value.split(";")[0];
      const value = pair.slice(pair.indexOf("=") + 1);
      if (value) for (const secret of sessionSecrets(value)) seen.add(secret);
    }
  });
  return async () => {
    for (const cookie of await context.cookies().catch(() => [])) for (const secret of sessionSecrets(cookie.value)) seen.add(secret);
    const lines = [...seen].filter((value) => value.length >= 6).map((value) => `${JSON.stringify(value)}\n`);
    if (lines.length) appendFileSync(secretsFile(), lines.join(""));
  };
}

interface Fixtures {
  /** Every test fails if the browser reports a Content-Security-Policy violation on its page. */
  cspViolations: string[];
  /** Every test notes the passwords, card numbers and session cookies its browser sent or got. */
  sentSecrets: undefined;
  clientAddress: string;
  /** Base URL of a second server on the same database whose holds last SHORT_TTL_SECONDS. */
  shortTtlBaseURL: string;
  /** nginx in front of both servers, or null when nginx is not installed. */
  nginxBaseURL: string | null;
  createShow: (options?: {
    layout?: LayoutSpec;
    priceCents?: number;
    priceZones?: Array<{ name: string; priceCents: number }>;
    name?: string;
  }) => Promise<TestShow>;
  createUser: (options?: { role?: "USER" | "DOOR" | "ADMIN"; withPassword?: boolean }) => Promise<TestUser>;
  loginAs: (user: TestUser) => Promise<void>;
  /** The e-mails the servers wrote (as .eml files), waited for: the first whose text passes `match`. */
  findMail: (match: (text: string) => boolean, timeoutMs?: number) => Promise<string>;
}

/** A message with its quoted-printable parts' bodies decoded (headers, and other parts, as they are). */
const readable = (raw: string) =>
  raw.replace(
    /(Content-Transfer-Encoding: quoted-printable\r?\n(?:[^\r\n]+\r?\n)*\r?\n)([\s\S]*?)(?=\r?\n--)/g,
    (_, head: string, body: string) => head + unquote(body),
  );

/** Quoted-printable undone (soft line breaks, =XX bytes), read as UTF-8. */
function unquote(raw: string): string {
  const soft = raw.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const hex = soft[i] === "=" ? soft.slice(i + 1, i + 3) : "";
    if (/^[0-9A-F]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else bytes.push(soft.charCodeAt(i));
  }
  return Buffer.from(bytes).toString("utf8");
}

export const test = base.extend<Fixtures>({
  cspViolations: [
    async ({ page }, use) => {
      const seen: string[] = [];
      page.on("console", (message) => {
        if (/Content Security Policy|Content-Security-Policy/i.test(message.text())) seen.push(message.text());
      });
      await use(seen);
      expect(seen, "CSP violations").toEqual([]);
    },
    { auto: true },
  ],
  sentSecrets: [
    async ({ context }, use) => {
      const flush = recordSecrets(context);
      await use(undefined);
      await flush();
    },
    { auto: true },
  ],
  // Every test is its own client address (the e2e server trusts X-Forwarded-For from loopback).
  clientAddress: async ({}, use) => {
    const n = Math.floor(Math.random() * 2 ** 24);
    await use(`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`);
  },
  extraHTTPHeaders: async ({ clientAddress }, use) => {
    await use({ "X-Forwarded-For": clientAddress });
  },
  shortTtlBaseURL: async ({}, use) => {
    await use(state().shortTtlBaseUrl);
  },
  nginxBaseURL: async ({}, use) => {
    await use(state().nginxBaseUrl);
  },
  findMail: async ({}, use) => {
    await use(async (match, timeoutMs = 10_000) => {
      const dir = state().mailDir;
      for (const end = Date.now() + timeoutMs; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
        const names = existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith(".eml")) : [];
        for (const name of names) {
          // Quoted-printable's soft line breaks and escapes undone, so a test can read the words.
          const text = readable(readFileSync(path.join(dir, name), "latin1"));
          if (match(text)) return text;
        }
      }
      throw new Error(`no e-mail in ${dir} matched within ${timeoutMs} ms`);
    });
  },
  createShow: async ({}, use) => {
    const shows: string[] = [];
    await use(async (options = {}) => {
      const show = await createShow(db(), {
        name: options.name ?? `E2E Show ${randomUUID().slice(0, 6)}`,
        venue: "Playwright Hall",
        city: "Testville",
        timeZone: "Europe/London",
        startsAt: new Date(Date.now() + 7 * 86_400_000),
        priceCents: options.priceCents ?? 2500,
        currency: "GBP",
        layout: options.layout ?? { kind: "THEATRE", rows: 2, seatsPerRow: 6, aisleAfter: [3] },
        ...(options.priceZones ? { priceZones: options.priceZones } : {}),
      });
      shows.push(show.id);
      return { id: show.id, name: show.name };
    });
    if (shows.length) await db().delete(showsTable).where(inArray(showsTable.id, shows));
  },
  createUser: async ({}, use) => {
    const created: string[] = [];
    await use(async (options = {}) => {
      const id = randomUUID();
      const user = { id, name: `Tester ${id.slice(0, 6)}`, email: `e2e-${id}@example.com`, password: FIXTURE_PASSWORD };
      const { hashPassword } = await import("~/domain/accounts.server");
      const passwordHash = options.withPassword ? await hashPassword(FIXTURE_PASSWORD) : FIXTURE_PASSWORD_HASH;
      await db()
        .insert(users)
        .values({ id, name: user.name, email: user.email, passwordHash, role: options.role ?? "USER" });
      created.push(id);
      return user;
    });
    if (created.length) {
      // Seats point at their holder; free them, then the users go with their bookings.
      await db()
        .update(seats)
        .set({ status: "AVAILABLE", holderId: null, bookingId: null, expiresAt: null })
        .where(inArray(seats.holderId, created));
      await db().delete(users).where(inArray(users.id, created));
    }
  },
  // Logs in by writing the session cookie, not by clicking: the login form has its own tests.
  loginAs: async ({ context, baseURL }, use) => {
    await use(async (user) => {
      await context.addCookies([await sessionCookieFor(user.id, baseURL!)]);
    });
  },
});

export { expect };

/** With JavaScript, waits until React has hydrated the page (a click during hydration can be lost); without, returns at once. */
export async function interactive(page: Page) {
  if (test.info().project.use.javaScriptEnabled === false) return;
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
}
