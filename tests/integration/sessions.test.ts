/**
 * Sessions that end (issue 10): log-out ends the session on the server, so a copied cookie opens
 * nothing; "log out everywhere" and a new password end every other browser and API token; every
 * log-in starts a new session. The invariants are stated in app/domain/sessions.server.ts.
 */
import { createHash } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { CHECK_SECONDS, POLL_WAIT_MS, SessionChecks } from "~/auth/ended-sessions.server";
import { AuthRateLimiter } from "~/auth/rate-limit.server";
import { sessions } from "~/db/schema";
import { isDatabaseUnavailable } from "~/db/unavailable.server";
import { changePassword, isWrongCurrentPassword, verifyLogin } from "~/domain/accounts.server";
import { RateLimited, ValidationFailed } from "~/domain/errors";
import {
  countSessions,
  deleteExpiredSessions,
  endedSessionsSince,
  endSession,
  endSessionsOf,
  findSessionUser,
  listSessions,
  startSession,
} from "~/domain/sessions.server";
import { FIXTURE_PASSWORD, makeShow, makeUsers, seatIdsByLabel } from "../support/factories";
import { TestClient } from "../support/http";
import { serverEnv, useServer } from "../support/server";
import { useTestDatabase } from "../support/test-database";

const t = useTestDatabase();
const server = useServer(() => serverEnv(t.url, { AUTH_RATE_LIMIT_PER_MINUTE: "0" }));

const HOUR = 3600_000;
const NEW_PASSWORD = "violet-harbour-lantern-42";

/** The session id inside a signed Remix session cookie (base64 JSON, then ".signature"). */
function sidOf(client: TestClient): string | undefined {
  const value = /__holdfast=([^;]+)/.exec(client.cookieHeader)?.[1];
  if (!value) return undefined;
  const payload = decodeURIComponent(value).slice(0, decodeURIComponent(value).lastIndexOf("."));
  return JSON.parse(Buffer.from(payload, "base64").toString("utf8")).sid;
}

async function signedInClient(email: string, password = FIXTURE_PASSWORD, userAgent = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0") {
  const client = new TestClient(server.url, { headers: { "User-Agent": userAgent } });
  const response = await client.post("/login", { email, password });
  expect(response.status).toBe(302);
  return client;
}

async function newUser() {
  const [id] = await makeUsers(t.db, 1);
  return { id, email: `${id}@example.com` };
}

async function apiToken(email: string, password = FIXTURE_PASSWORD) {
  const response = await fetch(`${server.url}/api/v1/auth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

const apiStatus = async (token: string) =>
  (await fetch(`${server.url}/api/v1/bookings`, { headers: { Authorization: `Bearer ${token}` } })).status;

/** Where the account page sends this client: 200 when signed in, the log-in page when not. */
async function accountPage(client: TestClient) {
  const response = await client.get("/account");
  return { status: response.status, location: response.headers.get("location"), html: await response.text() };
}

describe("the sessions table", () => {
  it("keeps only a hash of each id; an ended or expired session signs nobody in", async () => {
    const { id } = await newUser();
    const now = new Date();
    const sid = await startSession(t.db, { userId: id, kind: "WEB", expiresAt: new Date(now.getTime() + HOUR) }, now);
    expect(sid).toMatch(/^[\w-]{43}$/); // 256 random bits
    const [row] = await t.db.select().from(sessions).where(eq(sessions.userId, id));
    expect(row.idHash).toBe(createHash("sha256").update(sid).digest("base64url"));
    expect(JSON.stringify(row)).not.toContain(sid);

    expect(await findSessionUser(t.db, sid, id, now)).toMatchObject({ id, role: "USER" });
    const [other] = await makeUsers(t.db, 1);
    expect(await findSessionUser(t.db, sid, other, now)).toBeNull(); // a session is one user's
    expect(await findSessionUser(t.db, sid, id, new Date(now.getTime() + HOUR))).toBeNull(); // expired
    await endSession(t.db, sid);
    expect(await findSessionUser(t.db, sid, id, now)).toBeNull();
  });

  it("ends all of a person's sessions, or all but one; the sweeper forgets expired ones", async () => {
    const { id } = await newUser();
    const [neighbour] = await makeUsers(t.db, 1);
    const now = new Date();
    const later = new Date(now.getTime() + HOUR);
    const keep = await startSession(t.db, { userId: id, kind: "WEB", expiresAt: later }, now);
    await startSession(t.db, { userId: id, kind: "API", expiresAt: later }, now);
    await startSession(t.db, { userId: id, kind: "WEB", expiresAt: later }, now);
    const neighbours = await startSession(t.db, { userId: neighbour, kind: "WEB", expiresAt: later }, now);

    expect(await endSessionsOf(t.db, id, keep)).toBe(2);
    expect((await listSessions(t.db, id, keep, now)).map((s) => s.current)).toEqual([true]);
    expect(await endSessionsOf(t.db, id)).toBe(1);
    expect(await countSessions(t.db, id, now)).toBe(0);
    expect(await findSessionUser(t.db, neighbours, neighbour, now)).not.toBeNull();

    await startSession(t.db, { userId: id, kind: "WEB", expiresAt: new Date(now.getTime() - 1) }, now);
    expect(await deleteExpiredSessions(t.db, now)).toBeGreaterThanOrEqual(1);
    // What is left are the ended ones, kept until they would have expired (so every process hears of the end).
    const left = await t.db.select().from(sessions).where(eq(sessions.userId, id));
    expect(left.map((r) => [r.endedAt instanceof Date, r.expiresAt > now])).toEqual([
      [true, true],
      [true, true],
      [true, true],
    ]);
  });

  it("an ended session keeps its row until it would have expired, and stops counting at once", async () => {
    const { id } = await newUser();
    const now = new Date();
    const sid = await startSession(t.db, { userId: id, kind: "WEB", expiresAt: new Date(now.getTime() + HOUR) }, now);
    await endSession(t.db, sid);
    const [row] = await t.db.select().from(sessions).where(eq(sessions.userId, id));
    expect(row.endedAt).toBeInstanceOf(Date);
    expect(await countSessions(t.db, id, now)).toBe(0);
    expect(await listSessions(t.db, id, sid, now)).toEqual([]);
    expect((await endedSessionsSince(t.db, null, now)).map((s) => s.idHash)).toContain(row.idHash);
    expect((await endedSessionsSince(t.db, null, new Date(now.getTime() + HOUR))).map((s) => s.idHash)).not.toContain(row.idHash);
  });

  it("every process learns of an end within CHECK_SECONDS, of its own ends at once, without a query per request", async () => {
    const { id } = await newUser();
    const now = new Date();
    const here = new SessionChecks(t.db);
    const sid = await startSession(t.db, { userId: id, kind: "API", expiresAt: new Date(now.getTime() + HOUR) }, now);
    const statements = () => t.stats.statements;
    expect(await here.isLive(sid, now)).toBe(true); // the first call reads what has ended so far
    const before = statements();
    for (let i = 0; i < 100; i++) expect(await here.isLive(sid, new Date(now.getTime() + i))).toBe(true);
    expect(statements()).toBe(before); // a hundred checks, no query

    await endSessionsOf(t.db, id); // in another process, say
    expect(await here.isLive(sid, new Date(now.getTime() + (CHECK_SECONDS - 1) * 1000))).toBe(true);
    expect(await here.isLive(sid, new Date(now.getTime() + (CHECK_SECONDS + 1) * 1000))).toBe(false);

    const next = await startSession(t.db, { userId: id, kind: "API", expiresAt: new Date(now.getTime() + HOUR) }, now);
    const later = new Date(now.getTime() + (CHECK_SECONDS + 2) * 1000);
    expect(await here.isLive(next, later)).toBe(true);
    await endSession(t.db, next);
    here.markEnded(next); // log-out in this process
    expect(await here.isLive(next, later)).toBe(false);

    const fresh = new SessionChecks(t.db); // a process started after the end
    expect(await fresh.isLive(sid, later)).toBe(false);
    expect(await fresh.isLive(next, later)).toBe(false);
  });

  it("does not keep requests waiting on a look that hangs: they go on with what is known, or 503 if nothing is", async () => {
    const { id } = await newUser();
    const now = new Date();
    const sid = await startSession(t.db, { userId: id, kind: "API", expiresAt: new Date(now.getTime() + HOUR) }, now);
    const known = new SessionChecks(t.db);
    expect(await known.isLive(sid, now)).toBe(true);
    await endSessionsOf(t.db, id);

    // The look hangs: another transaction holds the table (as a connection stuck while
    // PostgreSQL comes back would keep it waiting).
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const locking = t.db.transaction(async (tx) => {
      await tx.execute(sql`lock table sessions in access exclusive mode`);
      await held;
    });
    try {
      await new Promise((r) => setTimeout(r, 200)); // the lock is taken
      const later = new Date(now.getTime() + (CHECK_SECONDS + 1) * 1000);
      let started = Date.now();
      expect(await known.isLive(sid, later)).toBe(true); // what it knew: the end is not seen yet
      expect(Date.now() - started).toBeLessThan(POLL_WAIT_MS + 2000);

      started = Date.now();
      const error = await new SessionChecks(t.db).isLive(sid, later).catch((e: unknown) => e);
      expect(isDatabaseUnavailable(error)).toBe(true); // nothing known: not a guess, a 503
      expect(Date.now() - started).toBeLessThan(POLL_WAIT_MS + 2000);
    } finally {
      release();
      await locking;
    }
    // The look went on meanwhile: once it is in, the end counts.
    await new Promise((r) => setTimeout(r, 200));
    expect(await known.isLive(sid, new Date(now.getTime() + (CHECK_SECONDS + 1) * 1000))).toBe(false);
  });
});

describe("changing a password", () => {
  it("needs the current one, keeps the session asking and ends every other", async () => {
    const { id, email } = await newUser();
    const later = new Date(Date.now() + HOUR);
    const mine = await startSession(t.db, { userId: id, kind: "WEB", expiresAt: later });
    const theirs = await startSession(t.db, { userId: id, kind: "WEB", expiresAt: later });
    const token = await startSession(t.db, { userId: id, kind: "API", expiresAt: later });

    const wrong = changePassword(t.db, id, { currentPassword: "not-the-password", newPassword: NEW_PASSWORD }, mine);
    await expect(wrong).rejects.toMatchObject({ fieldErrors: { currentPassword: "Your current password is not right" } });
    const weak = changePassword(t.db, id, { currentPassword: FIXTURE_PASSWORD, newPassword: "password123" }, mine);
    await expect(weak).rejects.toBeInstanceOf(ValidationFailed);
    expect(await countSessions(t.db, id)).toBe(3); // refusals change nothing

    expect(await changePassword(t.db, id, { currentPassword: FIXTURE_PASSWORD, newPassword: NEW_PASSWORD }, mine)).toEqual({
      endedSessions: 2,
    });
    expect(await findSessionUser(t.db, mine, id)).not.toBeNull();
    expect(await findSessionUser(t.db, theirs, id)).toBeNull();
    expect(await findSessionUser(t.db, token, id)).toBeNull();
    await expect(verifyLogin(t.db, { email, password: FIXTURE_PASSWORD })).rejects.toThrow("Invalid email or password");
    expect(await verifyLogin(t.db, { email, password: NEW_PASSWORD })).toMatchObject({ id });
  });

  it("a wrong current password counts as a guess: a stolen session cannot brute-force the password", async () => {
    const { id, email } = await newUser();
    const mine = await startSession(t.db, { userId: id, kind: "WEB", expiresAt: new Date(Date.now() + HOUR) });
    const limiter = new AuthRateLimiter(30);
    const attempt = (currentPassword: string) =>
      limiter.logIn(
        "203.0.113.9",
        email,
        () => changePassword(t.db, id, { currentPassword, newPassword: NEW_PASSWORD }, mine),
        isWrongCurrentPassword,
      );
    for (let i = 0; i < limiter.limits.failuresPerPair; i++) await expect(attempt(`guess-${i}`)).rejects.toBeInstanceOf(ValidationFailed);
    await expect(attempt(FIXTURE_PASSWORD)).rejects.toBeInstanceOf(RateLimited);
    await expect(verifyLogin(t.db, { email, password: FIXTURE_PASSWORD })).resolves.toMatchObject({ id }); // unchanged
  });
});

describe("in the browser and over the API", () => {
  it("log-out ends the session: a copy of the cookie taken before opens nothing after", async () => {
    const { email } = await newUser();
    const browser = await signedInClient(email);
    const copy = new TestClient(server.url, { cookies: `__holdfast=${/__holdfast=([^;]+)/.exec(browser.cookieHeader)![1]}; Path=/` });
    expect((await accountPage(copy)).status).toBe(200); // the thief's copy works while the session lives

    expect((await browser.post("/logout", {})).status).toBe(302);
    const after = await accountPage(copy);
    expect(after.status).toBe(302);
    expect(after.location).toMatch(/^\/login/);
    // The hold path (which skips reading the user) refuses the copy too.
    const show = await makeShow(t.db, { startsAt: new Date(Date.now() + 30 * 86_400_000) });
    const { A1 } = await seatIdsByLabel(t.db, show.id);
    const hold = await copy.post(`/shows/${show.id}`, { intent: "hold", seat: String(A1) });
    expect(hold.status).toBe(302);
    expect(hold.headers.get("location")).toMatch(/^\/login/);
    const [held] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from bookings where show_id = ${show.id}`);
    expect(held.n).toBe(0);
  });

  it("every log-in starts a new session and ends the one the browser carried before", async () => {
    const a = await newUser();
    const b = await newUser();
    const browser = await signedInClient(a.email);
    const first = sidOf(browser)!;
    expect((await browser.post("/login", { email: b.email, password: FIXTURE_PASSWORD })).status).toBe(302);
    const second = sidOf(browser)!;
    expect(second).not.toBe(first);
    expect(await findSessionUser(t.db, first, a.id)).toBeNull();
    expect(await findSessionUser(t.db, second, b.id)).toMatchObject({ id: b.id });
  });

  it("the account page lists where you are signed in, this browser marked, without JavaScript and as data", async () => {
    const { email } = await newUser();
    await signedInClient(email, FIXTURE_PASSWORD, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1");
    const laptop = await signedInClient(email);
    await apiToken(email);
    const page = await accountPage(laptop);
    expect(page.status).toBe(200);
    expect(page.html).toContain("Safari on iOS");
    expect(page.html).toContain("Chrome on Linux");
    expect(page.html).toContain("API token");
    expect(page.html.match(/this browser/g)).toHaveLength(1);
    const data = await (await laptop.get("/account?_data=routes%2Faccount")).json();
    expect(data.sessions).toHaveLength(3);
    expect(data.sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    expect(JSON.stringify(data)).not.toContain(sidOf(laptop));

    const anonymous = await accountPage(new TestClient(server.url));
    expect(anonymous.status).toBe(302);
    expect(anonymous.location).toBe("/login?redirectTo=%2Faccount");
  });

  it("log out everywhere ends every browser and API token at once", async () => {
    const { id, email } = await newUser();
    const phone = await signedInClient(email);
    const laptop = await signedInClient(email);
    const token = await apiToken(email);
    expect(await apiStatus(token)).toBe(200);

    const out = await laptop.post("/account", { intent: "everywhere" });
    expect(out.status).toBe(302);
    expect(out.headers.get("location")).toBe("/login");
    expect(await (await laptop.get("/login")).text()).toContain("You are logged out everywhere (3 sessions ended).");
    expect((await accountPage(laptop)).status).toBe(302);
    expect((await accountPage(phone)).status).toBe(302);
    const refused = await fetch(`${server.url}/api/v1/bookings`, { headers: { Authorization: `Bearer ${token}` } });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/session has ended/);
    expect(await countSessions(t.db, id)).toBe(0);
  });

  it("a new password set on one browser signs out the others and the tokens; a wrong current password is a 400 that changes nothing", async () => {
    const { id, email } = await newUser();
    const phone = await signedInClient(email);
    const laptop = await signedInClient(email);
    const token = await apiToken(email);

    const wrong = await laptop.post("/account", { intent: "password", currentPassword: "nope-nope-nope", newPassword: NEW_PASSWORD });
    expect(wrong.status).toBe(400);
    const html = await wrong.text();
    expect(html).toContain("Your current password is not right");
    expect(html).not.toContain(NEW_PASSWORD); // passwords are never echoed
    expect(await countSessions(t.db, id)).toBe(3);

    const changed = await laptop.post("/account", { intent: "password", currentPassword: FIXTURE_PASSWORD, newPassword: NEW_PASSWORD });
    expect(changed.status).toBe(302);
    const page = await accountPage(laptop);
    expect(page.status).toBe(200);
    expect(page.html).toContain("Your password is changed. 2 other sessions were ended.");
    expect((await accountPage(phone)).status).toBe(302);
    expect(await apiStatus(token)).toBe(401);
    expect((await new TestClient(server.url).post("/login", { email, password: FIXTURE_PASSWORD })).status).toBe(401);
    await signedInClient(email, NEW_PASSWORD);
  });

  it("with JavaScript, a refused change answers as data with the field's message", async () => {
    const { email } = await newUser();
    const laptop = await signedInClient(email);
    const response = await laptop.post("/account?_data=routes%2Faccount", {
      intent: "password",
      currentPassword: FIXTURE_PASSWORD,
      newPassword: "short",
    });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.fieldErrors.newPassword).toBeTruthy();
    expect(JSON.stringify(body)).not.toContain('short"');
  });
});
