import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createUser, hashPassword } from "~/domain/accounts.server";
import { TEST_CARDS } from "~/domain/payments";
import { makeShow, seatIdsByLabel } from "../support/factories";
import { textOf } from "../support/http";
import { capturingLogger, serverEnv, useServer } from "../support/server";
import { useTestDatabase } from "../support/test-database";

/**
 * The server's log as an operator reads it: one JSON line per request (id, method, path, status,
 * duration), the request's id on every line written on its behalf and on its error page, and
 * nothing secret in any line.
 */
const t = useTestDatabase();
const log = capturingLogger("info");
const server = useServer(() => serverEnv(t.url), { logger: log.logger });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const requestLine = (id: string) => log.lines().find((line) => line.msg === "request" && line.reqId === id);
/** Lines are written when the answer has gone out, a moment after the client has it. */
async function waitFor<T>(find: () => T | undefined | false, what: string): Promise<T> {
  const until = Date.now() + 3000;
  for (;;) {
    const found = find();
    if (found) return found;
    if (Date.now() > until) throw new Error(`no ${what} in the log:\n${log.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
const lineFor = (response: Response) => waitFor(() => requestLine(response.headers.get("x-request-id") ?? ""), "request line");

const form = (fields: Record<string, string>, cookie = "") => ({
  method: "POST",
  redirect: "manual" as const,
  headers: { "Content-Type": "application/x-www-form-urlencoded", ...(cookie ? { Cookie: cookie } : {}) },
  body: new URLSearchParams(fields).toString(),
});
const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "Content-Type": "application/json", ...headers },
  body: JSON.stringify(body),
});

describe("the request log", () => {
  it("writes one JSON line per request: its id (also in X-Request-Id), method, path without the query, status, duration", async () => {
    const cases: Array<[string, RequestInit, string, number]> = [
      ["/?utm_source=newsletter&token=abc", {}, "/", 200],
      ["/login", form({ email: "nobody@example.com", password: "wrong-wrong-wrong" }), "/login", 401],
      ["/api/v1/shows?limit=5", {}, "/api/v1/shows", 200],
      ["/api/v1/bookings", {}, "/api/v1/bookings", 401],
      ["/no/such/page", {}, "/no/such/page", 404],
    ];
    const ids = new Set<string>();
    for (const [target, init, path, status] of cases) {
      const response = await fetch(`${server.url}${target}`, init);
      await response.arrayBuffer();
      expect(response.status, target).toBe(status);
      const id = response.headers.get("x-request-id") ?? "";
      expect(id, target).toMatch(UUID);
      ids.add(id);
      const line = await lineFor(response);
      expect(line, target).toMatchObject({ level: "info", msg: "request", reqId: id, method: init.method ?? "GET", path, status });
      expect(line.durationMs, target).toEqual(expect.any(Number));
      expect(line.durationMs as number, target).toBeGreaterThanOrEqual(0);
      expect(
        log.lines().filter((l) => l.msg === "request" && l.reqId === id),
        target,
      ).toHaveLength(1);
    }
    expect(ids.size).toBe(cases.length);
    expect(log.text()).not.toContain("newsletter");
  });

  it("writes probes (/healthz, /readyz) at debug, so a load balancer does not fill the log", async () => {
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(200);
    const id = response.headers.get("x-request-id") ?? "";
    expect(id).toMatch(UUID);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(requestLine(id)).toBeUndefined();
  });

  it("on a fault, quotes the request's id on the error page and in the API's error, and puts it on each of its log lines", async () => {
    // A fault of ours, not the database going away: a table it expects is missing.
    await t.db.execute(sql`alter table shows rename to shows_away`);
    try {
      const page = await fetch(`${server.url}/`);
      const html = await page.text();
      expect(page.status).toBe(500);
      const pageId = page.headers.get("x-request-id") ?? "";
      expect(pageId).toMatch(UUID);
      expect(textOf(html)).toContain(`quote the reference ${pageId}`);
      expect(html).not.toMatch(/shows_away|\bat .+:\d+:\d+|postgres|drizzle/i);

      const api = await fetch(`${server.url}/api/v1/shows`);
      expect(api.status).toBe(500);
      const apiId = api.headers.get("x-request-id") ?? "";
      expect(await api.json()).toEqual({
        error: { code: "internal_error", message: expect.any(String), requestId: apiId },
      });

      for (const [id, path] of [
        [pageId, "/"],
        [apiId, "/api/v1/shows"],
      ]) {
        await waitFor(() => requestLine(id), `request line for ${path}`);
        const lines = log.lines().filter((line) => line.reqId === id);
        expect(lines.map((line) => line.level)).toEqual(["error", "info"]);
        expect(lines[0]).toMatchObject({ msg: expect.stringContaining(path), err: expect.stringMatching(/^database error 42P01/) });
        expect(lines[1]).toMatchObject({ msg: "request", path, status: 500 });
      }
    } finally {
      await t.db.execute(sql`alter table shows_away rename to shows`);
    }
  });

  it("holds no password, session cookie, bearer token, card number or password hash", async () => {
    const password = "correct-horse-battery-staple-9";
    const passwordHash = await hashPassword(password);
    const user = await createUser(t.db, { name: "Log Tester", email: `log-${Date.now()}@example.com`, password }, { passwordHash });
    const show = await makeShow(t.db);
    const seatIds = await seatIdsByLabel(t.db, show.id);

    const login = await fetch(`${server.url}/login`, form({ email: user.email, password }));
    expect(login.status).toBe(302);
    const cookie = (login.headers.getSetCookie()[0] ?? "").split(";")[0];
    expect(cookie).toMatch(/^__holdfast=.{20,}/);
    expect((await fetch(`${server.url}/account`, { headers: { Cookie: cookie } })).status).toBe(200);
    const wrong = await fetch(`${server.url}/login`, form({ email: user.email, password: "an-entirely-wrong-password" }));
    expect(wrong.status).toBe(401);

    const issued = await fetch(`${server.url}/api/v1/auth/token`, json({ email: user.email, password }));
    expect(issued.status).toBe(200);
    const { token } = (await issued.json()) as { token: string };
    const bearer = { Authorization: `Bearer ${token}` };
    const held = await fetch(`${server.url}/api/v1/shows/${show.id}/holds`, json({ seatIds: [seatIds.A1] }, bearer));
    expect(held.status).toBe(201);
    const { booking } = (await held.json()) as { booking: { id: string } };
    const pay = (card: string, key: string) =>
      fetch(`${server.url}/api/v1/bookings/${booking.id}/confirm`, json({ card }, { ...bearer, "Idempotency-Key": key }));
    expect((await pay(TEST_CARDS.decline, "log-test-key-1")).status).toBe(402);
    expect((await pay(TEST_CARDS.approve, "log-test-key-2")).status).toBe(200);
    const revoked = await fetch(`${server.url}/api/v1/auth/token`, { method: "DELETE", headers: bearer });
    expect(revoked.status).toBe(200);
    await lineFor(revoked); // the last request's line: every line of this test is in

    const text = log.text();
    const sessionValue = cookie.slice(cookie.indexOf("=") + 1);
    for (const secret of [
      password,
      "an-entirely-wrong-password",
      passwordHash,
      sessionValue,
      decodeURIComponent(sessionValue),
      token,
      token.split(".")[2], // the signature alone
      TEST_CARDS.decline,
      TEST_CARDS.approve,
      TEST_CARDS.approve.replaceAll(" ", ""),
    ]) {
      expect(text, `the log holds ${secret.slice(0, 12)}…`).not.toContain(secret);
    }
    expect(text).not.toMatch(/\$2[aby]\$\d\d\$/);
    expect(text).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });
});
