/**
 * The JSON API's contract, endpoint by endpoint: each success and each error code it documents,
 * every answer checked against the served OpenAPI document (tests/support/api.ts).
 */
import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { eq, sql } from "drizzle-orm";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenService } from "~/auth/tokens.server";
import { users } from "~/db/schema";
import { TEST_CARDS } from "~/domain/payments";
import { ENDPOINTS as CONTRACT, type Endpoint } from "~/http/contract";
import { errorsOf } from "~/http/openapi.server";
import { ApiClient, apiUser, Contract, testTokens } from "../support/api";
import { FIXTURE_PASSWORD, makeShow, seatIdsByLabel, seatRows } from "../support/factories";
import { TestClient, textOf } from "../support/http";
import { serverEnv, useServer } from "../support/server";
import { useTestDatabase } from "../support/test-database";

const ENDPOINTS: readonly Endpoint[] = CONTRACT;
const t = useTestDatabase();
const server = useServer(() => serverEnv(t.url, { AUTH_RATE_LIMIT_PER_MINUTE: "0" }));
let api: ApiClient;
beforeAll(async () => {
  api = new ApiClient(server.url, await Contract.load(server.url));
});

const inAWeek = () => new Date(Date.now() + 7 * 86_400_000);
const newKey = () => `key-${randomUUID()}`;

async function buyer() {
  const user = await apiUser(t.db);
  return { ...user, api: api.as(user.token) };
}

async function admin() {
  const user = await apiUser(t.db, "ADMIN");
  return { ...user, api: api.as(user.token) };
}

/** A show with seats A1–A5, B1–B5 (£10 each), and a buyer holding `labels` through the API. */
async function heldBooking(labels = ["A1", "A2"]) {
  const show = await makeShow(t.db, { startsAt: inAWeek() });
  const seats = await seatIdsByLabel(t.db, show.id);
  const who = await buyer();
  const held = await who.api.post(`/api/v1/shows/${show.id}/holds`, { seatIds: labels.map((l) => seats[l]) });
  expect(held.status).toBe(201);
  return { show, seats, who, booking: held.body.booking };
}

/** Moves a hold's end into the past, as if its minutes had run out. */
async function endHold(bookingId: string) {
  const past = new Date(Date.now() - 1000).toISOString();
  await t.db.execute(sql`update bookings set expires_at = ${past}::timestamptz where id = ${bookingId}`);
  await t.db.execute(sql`update seats set expires_at = ${past}::timestamptz where booking_id = ${bookingId}`);
}

describe("POST /api/v1/auth/signup and /auth/token", () => {
  it("signs up (201) with a token that works, and refuses a second account on the same email", async () => {
    const email = `${randomUUID()}@example.com`;
    const created = await api.post("/api/v1/auth/signup", { name: "Ada", email, password: "a long password" });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ name: "Ada", email, role: "USER" });
    expect(Date.parse(created.body.expiresAt) - Date.now()).toBeGreaterThan(3500_000);
    expect((await api.as(created.body.token).get("/api/v1/bookings")).body).toEqual({ bookings: [] });

    const again = await api.post("/api/v1/auth/signup", { name: "Ada", email: email.toUpperCase(), password: "a long password" });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe("validation_failed");
    expect(again.body.error.details.fields.email).toBeDefined();
  });

  it("names every field that breaks a rule, and refuses fields nobody asked for", async () => {
    const bad = await api.post("/api/v1/auth/signup", { name: "", email: "nope", password: "short", role: "ADMIN" });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.details.fields).sort()).toEqual(["email", "name", "password", "role"]);
    expect(bad.body.error.details.fields.role).toBe('Unknown field "role"');
  });

  it("gives a token for the right password (200) and invalid_credentials (401) for anything else", async () => {
    const user = await apiUser(t.db);
    const ok = await api.post("/api/v1/auth/token", { email: user.email, password: FIXTURE_PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.body.user.id).toBe(user.id);
    expect((await api.as(ok.body.token).get("/api/v1/bookings")).status).toBe(200);

    const wrong = await api.post("/api/v1/auth/token", { email: user.email, password: "not the password" });
    const unknown = await api.post("/api/v1/auth/token", { email: `${randomUUID()}@example.com`, password: "not the password" });
    for (const refused of [wrong, unknown]) {
      expect(refused.status).toBe(401);
      expect(refused.body.error).toEqual({ code: "invalid_credentials", message: "Invalid email or password" });
    }
  });

  it("logs a token out (DELETE /auth/token): it and any copy stop at once; the account's other tokens go on", async () => {
    const user = await apiUser(t.db);
    const second = (await api.post("/api/v1/auth/token", { email: user.email, password: FIXTURE_PASSWORD })).body.token;
    const out = await api.as(user.token).delete("/api/v1/auth/token");
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ revoked: true });
    const after = await api.as(user.token).get("/api/v1/bookings");
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/session has ended/);
    expect((await api.as(second).get("/api/v1/bookings")).status).toBe(200);
    expect((await api.delete("/api/v1/auth/token")).status).toBe(401);
  });

  it("answers a token request that is not JSON with 415, broken JSON with 400, and a missing field with 400", async () => {
    const form = await api.call("POST", "/api/v1/auth/token", {
      raw: "email=a@b.c",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(415);
    expect(form.body.error.code).toBe("unsupported_media_type");
    const broken = await api.call("POST", "/api/v1/auth/token", { raw: '{"email":', headers: { "Content-Type": "application/json" } });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe("invalid_json");
    const empty = await api.call("POST", "/api/v1/auth/token", { raw: "", headers: { "Content-Type": "application/json" } });
    expect(empty.body.error.code).toBe("invalid_json");
    const missing = await api.post("/api/v1/auth/token", { email: "a@example.com" });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.fields).toEqual({ password: "Password is required" });
  });
});

describe("bearer tokens", () => {
  it("are required: none, a malformed header, garbage, expired, tampered, another key or no signature all get 401", async () => {
    const user = await apiUser(t.db);
    const other = await apiUser(t.db);
    const [header, payload, signature] = user.token.split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: other.id })).toString("base64url")}.${signature}`;
    const expired = (await testTokens.issue(user.id, user.sessionId, new Date(Date.now() - 2 * 3600_000))).token;
    const otherService = createTokenService({ sessionSecret: "another-secret-that-is-long-enough-42", ttlSeconds: 3600 });
    const otherKey = (await otherService.issue(user.id, user.sessionId)).token;
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${payload}.`;
    const cases: Array<[string, Record<string, string>]> = [
      ["no header", {}],
      ["not Bearer", { Authorization: `Token ${user.token}` }],
      ["garbage", { Authorization: "Bearer not-a-token" }],
      ["expired", { Authorization: `Bearer ${expired}` }],
      ["tampered", { Authorization: `Bearer ${tampered}` }],
      ["another key", { Authorization: `Bearer ${otherKey}` }],
      ["alg none", { Authorization: `Bearer ${unsigned}` }],
    ];
    for (const [name, headers] of cases) {
      const response = await api.get("/api/v1/bookings", headers);
      expect(response.status, name).toBe(401);
      expect(response.body.error.code, name).toBe("unauthenticated");
      expect(response.headers.get("www-authenticate"), name).toMatch(/^Bearer realm="holdfast"/);
    }
    expect((await api.get("/api/v1/bookings", { Authorization: `Bearer ${expired}` })).body.error.message).toMatch(/expired/);
  });

  it("are the only authentication: a signed-in page session's cookie is ignored", async () => {
    const user = await apiUser(t.db);
    const browser = new TestClient(server.url);
    expect((await browser.post("/login", { email: user.email, password: FIXTURE_PASSWORD })).status).toBe(302);
    const response = await browser.get("/api/v1/bookings", { Accept: "application/json" });
    expect(response.status).toBe(401);
    // And a write from another site with that cookie changes nothing either: it is the same 401.
    const { show, seats } = await heldBooking();
    const crossSite = await browser.request(`/api/v1/shows/${show.id}/holds`, {
      method: "POST",
      body: JSON.stringify({ seatIds: [seats.B1] }),
      headers: { "Content-Type": "application/json", Origin: "https://evil.example" },
    });
    expect(crossSite.status).toBe(401);
    expect((await seatRows(t.db, show.id)).find((s) => s.label === "B1")?.status).toBe("AVAILABLE");
  });

  it("carry no role: an admin demoted in the database loses admin access with the same token", async () => {
    const boss = await admin();
    expect((await boss.api.get("/api/v1/admin/stats")).status).toBe(200);
    await t.db.update(users).set({ role: "USER" }).where(eq(users.id, boss.id));
    const after = await boss.api.get("/api/v1/admin/stats");
    expect(after.status).toBe(403);
    expect(after.body.error.code).toBe("forbidden");
  });
});

describe("GET /api/v1/shows", () => {
  it("lists upcoming shows with zones and seats left, filtered by kind, city and time, a page at a time", async () => {
    const city = `City ${randomUUID().slice(0, 8)}`;
    const base = Date.now() + 30 * 86_400_000;
    const made = [];
    for (let i = 0; i < 5; i++) {
      const show = await makeShow(t.db, { startsAt: new Date(base + i * 3600_000) });
      await t.db.execute(sql`update shows set city = ${city} where id = ${show.id}`);
      made.push(show);
    }
    const coach = await makeShow(t.db, {
      startsAt: new Date(base),
      layout: { kind: "BUS", arrangement: "2+2", lowerSeats: 8, upperSeats: 0 },
    });
    await t.db.execute(sql`update shows set city = ${city} where id = ${coach.id}`);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ city: city.toUpperCase(), kind: "SHOW", limit: "2", ...(cursor ? { cursor } : {}) });
      const page = await api.get(`/api/v1/shows?${query}`);
      expect(page.status).toBe(200);
      expect(page.body.shows.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.shows.map((s: { id: string }) => s.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(made.map((s) => s.id));

    const window = new URLSearchParams({
      city,
      from: new Date(base + 3600_000).toISOString(),
      to: new Date(base + 3 * 3600_000).toISOString(),
    });
    const windowed = await api.get(`/api/v1/shows?${window}`);
    expect(windowed.body.shows.map((s: { id: string }) => s.id)).toEqual([made[1].id, made[2].id]);

    const buses = await api.get(`/api/v1/shows?${new URLSearchParams({ city, kind: "BUS" })}`);
    expect(buses.body.shows).toEqual([
      expect.objectContaining({
        id: coach.id,
        kind: "BUS",
        totalSeats: 8,
        availableSeats: 8,
        priceZones: [{ name: "Standard", priceCents: 1000 }],
      }),
    ]);
  });

  it("refuses a bad filter, an unknown parameter, a bad limit and a forged cursor with 400", async () => {
    for (const [query, field] of [
      ["kind=OPERA", "kind"],
      ["from=tomorrow", "from"],
      ["limit=0", "limit"],
      ["limit=lots", "limit"],
      ["colour=red", "colour"],
      [`cursor=${Buffer.from("yesterday|1").toString("base64url")}`, "cursor"],
    ]) {
      const response = await api.get(`/api/v1/shows?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.error.code).toBe("validation_failed");
      expect(Object.keys(response.body.error.details.fields), query).toEqual([field]);
    }
  });
});

describe("GET /api/v1/shows/:showId", () => {
  it("gives every seat's state, `mine` only for the caller's own, and never who holds the others", async () => {
    const { show, seats, who, booking } = await heldBooking(["A1", "A2"]);
    const other = await buyer();
    await t.db.execute(sql`update seats set status = 'BLOCKED' where id = ${seats.B5}`);

    const anonymous = await api.get(`/api/v1/shows/${show.id}`);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.show).toMatchObject({ id: show.id, totalSeats: 10, availableSeats: 7, layout: { kind: "THEATRE", rows: 2 } });
    const byLabel = (body: { seats: Array<{ label: string }> }) => Object.fromEntries(body.seats.map((s) => [s.label, s]));
    expect(byLabel(anonymous.body).A1).toMatchObject({ id: seats.A1, row: 0, column: 0, zone: "Standard", status: "PENDING", mine: false });
    expect(byLabel(anonymous.body).B5).toMatchObject({ status: "BLOCKED", mine: false });
    expect(byLabel(anonymous.body).A3).toMatchObject({ status: "AVAILABLE", mine: false });

    const holder = await who.api.get(`/api/v1/shows/${show.id}`);
    expect(byLabel(holder.body).A1).toMatchObject({ status: "PENDING", mine: true });
    const stranger = await other.api.get(`/api/v1/shows/${show.id}`);
    expect(byLabel(stranger.body).A1).toMatchObject({ status: "PENDING", mine: false });
    for (const text of [JSON.stringify(anonymous.body), JSON.stringify(stranger.body)]) {
      expect(text).not.toContain(who.id);
      expect(text).not.toContain(booking.id);
    }

    // Paid: BOOKED, still the holder's own.
    const paid = await who.api.post(
      `/api/v1/bookings/${booking.id}/confirm`,
      { card: TEST_CARDS.approve },
      { "Idempotency-Key": newKey() },
    );
    expect(paid.status).toBe(200);
    expect(byLabel((await who.api.get(`/api/v1/shows/${show.id}`)).body).A2).toMatchObject({ status: "BOOKED", mine: true });
    expect(byLabel((await other.api.get(`/api/v1/shows/${show.id}`)).body).A2).toMatchObject({ status: "BOOKED", mine: false });
  });

  it("answers an unknown or malformed show with 404, and a bad token with 401 even here", async () => {
    for (const id of [randomUUID(), "not-a-show", "%E0%A4%A"]) {
      const response = await api.get(`/api/v1/shows/${id}`);
      expect(response.status, id).toBe(404);
      expect(response.body.error.code).toBe("not_found");
    }
    const show = await makeShow(t.db, { startsAt: inAWeek() });
    expect((await api.get(`/api/v1/shows/${show.id}`, { Authorization: "Bearer nope" })).status).toBe(401);
  });
});

describe("POST /api/v1/shows/:showId/holds", () => {
  it("holds all the seats asked for (201) and prices them", async () => {
    const { booking, seats } = await heldBooking(["A1", "B2"]);
    expect(booking).toMatchObject({
      status: "HELD",
      amountCents: 2000,
      currency: "GBP",
      seats: [
        { id: seats.A1, label: "A1" },
        { id: seats.B2, label: "B2" },
      ],
    });
    expect(Date.parse(booking.expiresAt) - Date.now()).toBeGreaterThan(250_000);
  });

  it("answers taken seats with 409 seats_unavailable naming them, and holds nothing", async () => {
    const { show, seats } = await heldBooking(["A1", "A2"]);
    const late = await buyer();
    const response = await late.api.post(`/api/v1/shows/${show.id}/holds`, { seatIds: [seats.A2, seats.A3] });
    expect(response.status).toBe(409);
    expect(response.body.error).toMatchObject({ code: "seats_unavailable", details: { seats: ["A2"] } });
    expect((await seatRows(t.db, show.id)).find((s) => s.label === "A3")?.status).toBe("AVAILABLE");
  });

  it("answers bad seat lists with 400 and details.fields, an unknown show with 404, a blocked seat with 409", async () => {
    const show = await makeShow(t.db, { startsAt: inAWeek() });
    const elsewhere = await makeShow(t.db, { startsAt: inAWeek() });
    const { A1 } = await seatIdsByLabel(t.db, show.id);
    const { A1: foreign } = await seatIdsByLabel(t.db, elsewhere.id);
    const { api: mine } = await buyer();
    const holds = `/api/v1/shows/${show.id}/holds`;
    for (const [body, field] of [
      [{ seatIds: [] }, "seatIds"],
      [{ seatIds: ["x"] }, "seatIds"],
      [{ seatIds: [A1, A1] }, "seatIds"],
      [{ seatIds: [foreign] }, "seatIds"],
      [{ seats: [A1] }, "seats"],
      [[A1], "form"],
      [null, "form"],
      [JSON.parse(`{"__proto__": {"admin": true}, "seatIds": [${A1}]}`), "__proto__"],
    ] as const) {
      const response = await mine.call("POST", holds, { raw: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe("validation_failed");
      expect(response.body.error.details.fields[field], JSON.stringify(body)).toBeDefined();
    }
    const missing = await mine.post(`/api/v1/shows/${randomUUID()}/holds`, { seatIds: [A1] });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("not_found");

    await t.db.execute(sql`update seats set status = 'BLOCKED' where id = ${A1}`);
    const blocked = await mine.post(holds, { seatIds: [A1] });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error).toMatchObject({ code: "conflict", message: "A1 is not for sale" });

    expect((await api.post(holds, { seatIds: [A1] })).status).toBe(401);
  });

  it("refuses bodies over 64 KB with 413, whether announced or sent chunked, and holds nothing", async () => {
    const show = await makeShow(t.db, { startsAt: inAWeek() });
    const { A1 } = await seatIdsByLabel(t.db, show.id);
    const { api: mine } = await buyer();
    const padding = " ".repeat(70 * 1024);
    const announced = await mine.call("POST", `/api/v1/shows/${show.id}/holds`, {
      raw: `{"seatIds":[${A1}]${padding}}`,
      headers: { "Content-Type": "application/json" },
    });
    expect(announced.status).toBe(413);
    expect(announced.body.error.code).toBe("payload_too_large");

    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(`/api/v1/shows/${show.id}/holds`, server.url);
      let answered = false;
      const headers = { Authorization: `Bearer ${mine.token}`, "Content-Type": "application/json" };
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers }, (res) => {
        answered = true;
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      // The server may close while the rest is still being sent; only a failure before its answer counts.
      req.on("error", (error) => answered || reject(error));
      (async () => {
        // No Content-Length: Node sends it chunked, 8 KB at a time, until the server answers.
        req.write(`{"seatIds":[${A1}]`);
        for (let i = 0; i < 40 && !answered; i++) {
          req.write(" ".repeat(8 * 1024));
          await new Promise((r) => setTimeout(r, 5));
        }
        if (!answered) req.end("}");
      })();
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).error.code).toBe("payload_too_large");
    expect((await seatRows(t.db, show.id)).every((s) => s.status === "AVAILABLE")).toBe(true);
  });
});

describe("GET /api/v1/bookings and /bookings/:bookingId", () => {
  it("lists and shows only the caller's own bookings; anyone else's is 404", async () => {
    const { who, booking, show } = await heldBooking();
    const other = await buyer();
    const list = await who.api.get("/api/v1/bookings");
    expect(list.body.bookings).toEqual([
      expect.objectContaining({ id: booking.id, status: "HELD", show: expect.objectContaining({ id: show.id }) }),
    ]);
    expect((await other.api.get("/api/v1/bookings")).body.bookings).toEqual([]);

    const own = await who.api.get(`/api/v1/bookings/${booking.id}`);
    expect(own.status).toBe(200);
    expect(own.body.booking).toMatchObject({ id: booking.id, reference: booking.reference, seats: booking.seats });
    for (const id of [booking.id, randomUUID(), "nope"]) {
      const response = await other.api.get(`/api/v1/bookings/${id}`);
      expect(response.status, id).toBe(404);
      expect(response.body.error.code).toBe("not_found");
    }
  });

  it("shows a hold whose time is up as EXPIRED, before any sweeper has run", async () => {
    const { who, booking } = await heldBooking();
    await endHold(booking.id);
    expect((await who.api.get(`/api/v1/bookings/${booking.id}`)).body.booking.status).toBe("EXPIRED");
  });
});

describe("POST /api/v1/bookings/:bookingId/confirm", () => {
  it("pays (200, CONFIRMED with its reference); the same key and body answer the same, another body 422", async () => {
    const { who, booking, show } = await heldBooking();
    const key = newKey();
    const confirm = (card: string, k = key) => who.api.post(`/api/v1/bookings/${booking.id}/confirm`, { card }, { "Idempotency-Key": k });
    const first = await confirm(TEST_CARDS.approve);
    expect(first.status).toBe(200);
    expect(first.body.booking).toMatchObject({ id: booking.id, reference: booking.reference, status: "CONFIRMED" });
    const again = await confirm(TEST_CARDS.approve);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const otherCard = await confirm("5555 5555 5555 4444");
    expect(otherCard.status).toBe(422);
    expect(otherCard.body.error.code).toBe("idempotency_mismatch");
    const newKeyPaid = await confirm(TEST_CARDS.approve, newKey());
    expect(newKeyPaid.status).toBe(409);
    expect(newKeyPaid.body.error.code).toBe("conflict");
    const payments = await t.db.execute(
      sql`select count(*)::int as n from payments where booking_id = ${booking.id} and status = 'SUCCEEDED'`,
    );
    expect(payments[0].n).toBe(1);
    expect((await seatRows(t.db, show.id)).filter((s) => s.status === "BOOKED").map((s) => s.label)).toEqual(["A1", "A2"]);
  });

  it("declines (402) and keeps the hold; a hold that ended is 410; no key or a bad card is 400", async () => {
    const { who, booking } = await heldBooking();
    const path = `/api/v1/bookings/${booking.id}/confirm`;
    const declined = await who.api.post(path, { card: TEST_CARDS.decline }, { "Idempotency-Key": newKey() });
    expect(declined.status).toBe(402);
    expect(declined.body.error.code).toBe("payment_declined");
    expect((await who.api.get(`/api/v1/bookings/${booking.id}`)).body.booking.status).toBe("HELD");

    const noKey = await who.api.post(path, { card: TEST_CARDS.approve });
    expect(noKey.status).toBe(400);
    expect(noKey.body.error.details.fields.idempotencyKey).toBeDefined();
    const badCard = await who.api.post(path, { card: "1234" }, { "Idempotency-Key": newKey() });
    expect(badCard.status).toBe(400);
    expect(badCard.body.error.details.fields).toEqual({ card: "Card number is not valid" });

    await endHold(booking.id);
    const late = await who.api.post(path, { card: TEST_CARDS.approve }, { "Idempotency-Key": newKey() });
    expect(late.status).toBe(410);
    expect(late.body.error).toMatchObject({ code: "hold_expired", details: { expiredAt: expect.any(String) } });
  });

  it("treats another user's booking as not there: 404, nothing charged, the hold untouched", async () => {
    const { booking, show } = await heldBooking();
    const thief = await buyer();
    const response = await thief.api.post(
      `/api/v1/bookings/${booking.id}/confirm`,
      { card: TEST_CARDS.approve },
      { "Idempotency-Key": newKey() },
    );
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe("not_found");
    expect((await t.db.execute(sql`select count(*)::int as n from payments where booking_id = ${booking.id}`))[0].n).toBe(0);
    expect((await seatRows(t.db, show.id)).filter((s) => s.status === "PENDING")).toHaveLength(2);
  });
});

describe("DELETE /api/v1/bookings/:bookingId", () => {
  it("releases a hold (RELEASED, seats free again), cancels a paid booking (CANCELLED), and is harmless twice", async () => {
    const { who, booking, show } = await heldBooking();
    const released = await who.api.delete(`/api/v1/bookings/${booking.id}`);
    expect(released.status).toBe(200);
    expect(released.body.booking.status).toBe("RELEASED");
    expect((await api.get(`/api/v1/shows/${show.id}`)).body.show.availableSeats).toBe(10);
    expect((await who.api.delete(`/api/v1/bookings/${booking.id}`)).body.booking.status).toBe("RELEASED");
    const pay = await who.api.post(`/api/v1/bookings/${booking.id}/confirm`, { card: TEST_CARDS.approve }, { "Idempotency-Key": newKey() });
    expect(pay.status).toBe(409);

    const second = await heldBooking(["B1"]);
    const paid = await second.who.api.post(
      `/api/v1/bookings/${second.booking.id}/confirm`,
      { card: TEST_CARDS.approve },
      { "Idempotency-Key": newKey() },
    );
    expect(paid.status).toBe(200);
    const cancelled = await second.who.api.delete(`/api/v1/bookings/${second.booking.id}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.booking).toMatchObject({ status: "CANCELLED", cancelledAt: expect.any(String) });
    expect((await seatRows(t.db, second.show.id)).every((s) => s.status === "AVAILABLE")).toBe(true);
  });

  it("cannot cancel once the show has started: 409, and the booking stays paid", async () => {
    const { who, booking, show } = await heldBooking(["A1"]);
    await who.api.post(`/api/v1/bookings/${booking.id}/confirm`, { card: TEST_CARDS.approve }, { "Idempotency-Key": newKey() });
    await t.db.execute(sql`update seats set starts_at = now() - interval '1 minute' where show_id = ${show.id}`);
    const late = await who.api.delete(`/api/v1/bookings/${booking.id}`);
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: "conflict", message: "The show has started; this booking can no longer be cancelled" });
    expect((await who.api.get(`/api/v1/bookings/${booking.id}`)).body.booking.status).toBe("CONFIRMED");
  });

  it("answers another user's booking with 404 and leaves it held", async () => {
    const { booking, show } = await heldBooking();
    const other = await buyer();
    const response = await other.api.delete(`/api/v1/bookings/${booking.id}`);
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe("not_found");
    expect((await seatRows(t.db, show.id)).filter((s) => s.status === "PENDING")).toHaveLength(2);
  });
});

describe("admin endpoints", () => {
  const newShow = (name = `API show ${randomUUID().slice(0, 6)}`) => ({
    name,
    venue: "Hall",
    city: "Leeds",
    timeZone: "Europe/London",
    startsAt: inAWeek().toISOString(),
    currency: "GBP",
    priceZones: [
      { name: "Stalls", priceCents: 4500 },
      { name: "Circle", priceCents: 3000 },
    ],
    layout: {
      kind: "THEATRE",
      sections: [
        { name: "Stalls", rows: 2, seatsPerRow: 4, aisleAfter: [], zone: "Stalls" },
        { name: "Circle", rows: 1, seatsPerRow: 4, aisleAfter: [], zone: "Circle" },
      ],
    },
  });

  it("create a show from the admin form's schema (201), and refuse users (403), strangers (401) and bad input (400)", async () => {
    const boss = await admin();
    const created = await boss.api.post("/api/v1/admin/shows", newShow("Macbeth"));
    expect(created.status).toBe(201);
    expect(created.body.show).toMatchObject({
      name: "Macbeth",
      totalSeats: 12,
      availableSeats: 12,
      priceZones: [{ name: "Stalls" }, { name: "Circle" }],
    });
    const seats = (await api.get(`/api/v1/shows/${created.body.show.id}`)).body.seats;
    expect(seats.filter((s: { zone: string }) => s.zone === "Circle")).toHaveLength(4);
    // A description, in paragraphs, read back through the API and shown on the show's page; an invisible character refused.
    const described = await boss.api.post("/api/v1/admin/shows", {
      ...newShow("Twelfth Night"),
      description: "A shipwreck.\r\n\r\nTwins, and love.",
    });
    expect(described.body.show.description).toBe("A shipwreck.\n\nTwins, and love.");
    expect((await api.get(`/api/v1/shows/${described.body.show.id}`)).body.show.description).toBe("A shipwreck.\n\nTwins, and love.");
    expect(await (await fetch(`${server.url}/shows/${described.body.show.id}`)).text()).toContain("Twins, and love.");
    const hidden = await boss.api.post("/api/v1/admin/shows", { ...newShow(), description: "Fine\u202etext" });
    expect(hidden.body.error).toMatchObject({
      code: "validation_failed",
      details: { fields: { description: expect.stringMatching(/invisible/) } },
    });

    const { api: user } = await buyer();
    expect((await user.post("/api/v1/admin/shows", newShow())).status).toBe(403);
    expect((await api.post("/api/v1/admin/shows", newShow())).status).toBe(401);
    const bad = await boss.api.post("/api/v1/admin/shows", {
      ...newShow(),
      currency: "pounds",
      layout: { kind: "THEATRE", sections: [{ name: "Stalls", rows: 0, seatsPerRow: 4, aisleAfter: [], zone: "Gods" }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields).toMatchObject({ currency: expect.any(String), "layout.sections.0.rows": expect.any(String) });
  });

  it("block and unblock seats (all or none), reset a show, and read the stats", async () => {
    const boss = await admin();
    const { show, seats, who, booking } = await heldBooking(["A1"]);
    const blocks = `/api/v1/admin/shows/${show.id}/blocks`;
    const blocked = await boss.api.post(blocks, { seatIds: [seats.B1, seats.B2], blocked: true });
    expect(blocked).toMatchObject({ status: 200, body: { changed: 2 } });
    const busy = await boss.api.post(blocks, { seatIds: [seats.A1, seats.B3], blocked: true });
    expect(busy.status).toBe(409);
    expect(busy.body.error).toMatchObject({ code: "conflict", message: "A1 is held or sold: release it first" });
    expect((await boss.api.post(blocks, { seatIds: [seats.B1] })).body.error.details.fields).toEqual({
      blocked: "blocked must be true or false",
    });
    expect((await boss.api.post(blocks, { seatIds: [999_999_999], blocked: true })).status).toBe(400);
    expect((await boss.api.post(`/api/v1/admin/shows/${randomUUID()}/blocks`, { seatIds: [seats.B1], blocked: false })).status).toBe(404);
    expect((await who.api.post(blocks, { seatIds: [seats.B1], blocked: false })).status).toBe(403);
    expect((await boss.api.post(blocks, { seatIds: [seats.B1], blocked: false })).body).toEqual({ changed: 1 });

    const stats = await boss.api.get("/api/v1/admin/stats");
    expect(stats.status).toBe(200);
    expect(stats.body.shows.find((s: { id: string }) => s.id === show.id)).toMatchObject({ held: 1, blocked: 1, available: 8, booked: 0 });
    expect(stats.body.liveHolds).toBeGreaterThanOrEqual(1);

    const reset = await boss.api.post(`/api/v1/admin/shows/${show.id}/reset`);
    expect(reset).toMatchObject({ status: 200, body: { holds: 1, bookings: 0 } });
    expect((await who.api.get(`/api/v1/bookings/${booking.id}`)).body.booking.status).toBe("RELEASED");
    expect((await boss.api.post(`/api/v1/admin/shows/${randomUUID()}/reset`)).status).toBe(404);
    expect((await who.api.post(`/api/v1/admin/shows/${show.id}/reset`)).status).toBe(403);
    expect((await api.get("/api/v1/admin/stats")).status).toBe(401);
  });
});

describe("operators' endpoints", () => {
  /** A paid booking of A1 and A2, made through the API by a buyer. */
  async function paid() {
    const { booking, show, seats, who } = await heldBooking(["A1", "A2"]);
    const confirmed = await who.api.post(
      `/api/v1/bookings/${booking.id}/confirm`,
      { card: "4242 4242 4242 4242" },
      { "Idempotency-Key": newKey() },
    );
    expect(confirmed.status).toBe(200);
    return { booking, show, seats, who };
  }

  it("list and search bookings (reference, e-mail, seat), a page at a time; a bad filter is 400", async () => {
    const boss = await admin();
    const { booking, show } = await paid();
    const found = await boss.api.get(`/api/v1/admin/bookings?showId=${show.id}&q=${booking.reference.toLowerCase()}`);
    expect(found.status).toBe(200);
    expect(found.body.bookings).toHaveLength(1);
    expect(found.body.bookings[0]).toMatchObject({ reference: booking.reference, status: "CONFIRMED", seats: ["A1", "A2"], checkedIn: 0 });
    const bySeat = await boss.api.get(`/api/v1/admin/bookings?showId=${show.id}&q=a2`);
    expect(bySeat.body.bookings.map((b: { id: string }) => b.id)).toEqual([booking.id]);
    await paid();
    const first = await boss.api.get("/api/v1/admin/bookings?limit=1");
    const second = await boss.api.get(`/api/v1/admin/bookings?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.bookings[0].id).not.toBe(first.body.bookings[0].id);
    expect((await boss.api.get("/api/v1/admin/bookings?status=LOST")).body.error.code).toBe("validation_failed");
  });

  it("cancel a seat (refunded) and, with the same Idempotency-Key, answer the same; refuse what cannot be", async () => {
    const boss = await admin();
    const { booking, seats } = await paid();
    const url = `/api/v1/admin/bookings/${booking.id}/cancellations`;
    const key = { "Idempotency-Key": newKey() };
    const done = await boss.api.post(url, { seatIds: [seats.A2], reason: "Called in" }, key);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      refundCents: 1000,
      seatLabels: ["A2"],
      replayed: false,
      booking: { status: "CONFIRMED", amountCents: 1000 },
    });
    expect((await boss.api.post(url, { seatIds: [seats.A2] }, key)).body).toMatchObject({ replayed: true, refundCents: 1000 });
    expect((await boss.api.post(url, { seatIds: [seats.B1] }, { "Idempotency-Key": newKey() })).body.error.code).toBe("validation_failed");
    expect((await boss.api.post(url, { seatIds: [seats.A1] })).body.error).toMatchObject({
      code: "validation_failed",
      details: { fields: { "Idempotency-Key": expect.any(String) } },
    });
    expect(
      (await boss.api.post(`/api/v1/admin/bookings/${randomUUID()}/cancellations`, { seatIds: [1] }, { "Idempotency-Key": newKey() }))
        .status,
    ).toBe(404);
    const held = await heldBooking(["B2"]);
    const notPaid = await boss.api.post(
      `/api/v1/admin/bookings/${held.booking.id}/cancellations`,
      { seatIds: [held.seats.B2] },
      { "Idempotency-Key": newKey() },
    );
    expect(notPaid.body.error.code).toBe("conflict");
  });

  it("move seats by id or label; a seat someone holds is 409 seats_unavailable and nothing moves", async () => {
    const boss = await admin();
    const { booking, seats, show } = await paid();
    const url = `/api/v1/admin/bookings/${booking.id}/moves`;
    const moved = await boss.api.post(url, { seatIds: [seats.A1], toSeatLabels: ["b4"] }, { "Idempotency-Key": newKey() });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ seatLabels: ["A1"], toSeatLabels: ["B4"] });
    const other = await buyer();
    expect((await other.api.post(`/api/v1/shows/${show.id}/holds`, { seatIds: [seats.B1] })).status).toBe(201);
    const taken = await boss.api.post(url, { seatIds: [seats.A2], toSeatIds: [seats.B1] }, { "Idempotency-Key": newKey() });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ code: "seats_unavailable", details: { seats: ["B1"] } });
    const both = await boss.api.post(
      url,
      { seatIds: [seats.A2], toSeatIds: [seats.B2], toSeatLabels: ["B2"] },
      { "Idempotency-Key": newKey() },
    );
    expect(both.body.error.code).toBe("validation_failed");
    expect(
      (await boss.api.post(`/api/v1/admin/bookings/not-a-uuid/moves`, { seatIds: [1], toSeatIds: [2] }, { "Idempotency-Key": newKey() }))
        .status,
    ).toBe(404);
    const held = await heldBooking(["B3"]);
    const notPaid = await boss.api.post(
      `/api/v1/admin/bookings/${held.booking.id}/moves`,
      { seatIds: [held.seats.B3], toSeatIds: [held.seats.B5] },
      { "Idempotency-Key": newKey() },
    );
    expect(notPaid.body.error.code).toBe("conflict");
  });

  it("resend a paid booking's ticket; a hold has none to send (409), an unknown booking is 404", async () => {
    const boss = await admin();
    const { booking } = await paid();
    const sent = await boss.api.post(`/api/v1/admin/bookings/${booking.id}/ticket-emails`, undefined, { "Idempotency-Key": newKey() });
    expect(sent.status).toBe(200);
    const held = await heldBooking(["B1"]);
    expect(
      (await boss.api.post(`/api/v1/admin/bookings/${held.booking.id}/ticket-emails`, undefined, { "Idempotency-Key": newKey() })).body
        .error.code,
    ).toBe("conflict");
    expect(
      (await boss.api.post(`/api/v1/admin/bookings/${randomUUID()}/ticket-emails`, undefined, { "Idempotency-Key": newKey() })).status,
    ).toBe(404);
    expect((await boss.api.post(`/api/v1/admin/bookings/${booking.id}/ticket-emails`)).body.error.code).toBe("validation_failed");
  });

  it("check a ticket in for a scanner app: valid, then already; a retried scan answers the same; door staff may, users may not", async () => {
    const boss = await admin();
    const door = api.as((await apiUser(t.db, "DOOR")).token);
    const { booking, show } = await paid();
    const url = `/api/v1/door/shows/${show.id}/check-ins`;
    const scan = { "Idempotency-Key": newKey() };
    const first = await door.post(url, { reference: booking.reference, door: "Gate 3" }, scan);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ verdict: "valid", seat: "A1", inCount: 1, total: 2, earlier: { door: "Gate 3" } });
    expect((await door.post(url, { reference: booking.reference, door: "Gate 3" }, scan)).body).toMatchObject({
      verdict: "valid",
      seat: "A1",
      inCount: 1,
    });
    expect((await boss.api.post(url, { reference: booking.reference })).body).toMatchObject({ verdict: "valid", seat: "A2", inCount: 2 });
    expect((await door.post(url, { reference: booking.reference })).body).toMatchObject({ verdict: "already", inCount: 2 });
    expect((await door.post(url, { reference: "" })).body.error.code).toBe("validation_failed");
    expect((await door.post("/api/v1/door/shows/not-a-uuid/check-ins", { reference: booking.reference })).status).toBe(404);
    expect((await door.get("/api/v1/admin/bookings")).status).toBe(403);
  });
});

describe("the API and the pages are one system", () => {
  it("a hold made through the API shows on the seat map page, and one made on the page shows in the API", async () => {
    const { show, seats, who } = await heldBooking(["A1"]);
    const page = textOf(await (await new TestClient(server.url).get(`/shows/${show.id}`)).text());
    expect(page).toContain("9 of 10 seats left");
    const hydration = await (await new TestClient(server.url).get(`/shows/${show.id}`)).text();
    expect(/"codes":"(\w+)"/.exec(hydration)?.[1]).toBe("HAAAAAAAAA");

    // The same person on the page (a cookie session): their API hold is theirs there too.
    const browser = new TestClient(server.url);
    expect((await browser.post("/login", { email: who.email, password: FIXTURE_PASSWORD })).status).toBe(302);
    expect(/"codes":"(\w+)"/.exec(await (await browser.get(`/shows/${show.id}`)).text())?.[1]).toBe("YAAAAAAAAA");
    const form = new URLSearchParams([
      ["intent", "hold"],
      ["seat", String(seats.B5)],
    ]);
    const held = await browser.request(`/shows/${show.id}`, {
      method: "POST",
      body: form.toString(),
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(held.status).toBe(302);
    const seen = (await who.api.get(`/api/v1/shows/${show.id}`)).body.seats.find((s: { label: string }) => s.label === "B5");
    expect(seen).toMatchObject({ status: "PENDING", mine: true });
    expect((await who.api.get("/api/v1/bookings")).body.bookings).toHaveLength(2);
  });
});

describe("the API's edges", () => {
  it("answers unknown paths with 404, a known path with another method with 405 and Allow, both in the one shape", async () => {
    const unknown = await api.get("/api/v1/tickets");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("not_found");
    const wrong = await api.call("PUT", `/api/v1/bookings/${randomUUID()}`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET, DELETE");
    expect(wrong.body.error.code).toBe("method_not_allowed");
  });

  it("answers a browser's preflight so partner sites can call it with a token, and never caches answers", async () => {
    const preflight = await fetch(new URL("/api/v1/shows/x/holds", server.url), {
      method: "OPTIONS",
      headers: { Origin: "https://partner.example", "Access-Control-Request-Method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("Authorization");
    expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();
    const list = await api.get("/api/v1/shows");
    expect(list.headers.get("cache-control")).toBe("no-store");
    expect(list.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("serves the OpenAPI 3.1 document and a reference page from local files (no CDN)", async () => {
    expect(api.contract.document).toMatchObject({ openapi: "3.1.0", info: { title: "Holdfast API" } });
    const paths = api.contract.document.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths).length).toBeGreaterThanOrEqual(10);
    const page = await fetch(new URL("/api/docs", server.url));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1])) {
      expect((await fetch(new URL(asset, server.url))).status, asset).toBe(200);
    }
  });

  it("never answers with a stack trace: a body of the wrong shape deep inside is a 400", async () => {
    const boss = await admin();
    const response = await boss.api.post("/api/v1/admin/shows", { layout: { kind: "THEATRE", sections: "lots" }, priceZones: [{}] });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).not.toMatch(/at .*\.(ts|js):\d+/);
  });
});

describe("every endpoint", () => {
  /** A concrete path for an endpoint, with ids that name nothing. */
  const pathOf = (template: string) => template.replace(/\{\w+\}/g, () => randomUUID());

  it("that needs a token answers 401 without one, and 403 to a user where it is for admins or door staff", async () => {
    const { api: user } = await buyer();
    for (const endpoint of ENDPOINTS.filter((e) => e.auth === "user" || e.auth === "admin" || e.auth === "door")) {
      const path = pathOf(endpoint.path);
      const body = endpoint.body ? {} : undefined;
      const anonymous = await api.call(endpoint.method, path, { body });
      expect(anonymous.status, endpoint.id).toBe(401);
      if (endpoint.auth === "user") continue;
      const refused = await user.call(endpoint.method, path, { body });
      expect(refused.status, endpoint.id).toBe(403);
    }
  });

  it("that takes a body refuses one that is not JSON (415), broken JSON (400) and one over 64 KB (413)", async () => {
    const boss = await admin();
    for (const endpoint of ENDPOINTS.filter((e) => e.body)) {
      const path = pathOf(endpoint.path);
      const send = (raw: string, type: string) => boss.api.call(endpoint.method, path, { raw, headers: { "Content-Type": type } });
      expect((await send("{}", "text/plain")).body.error.code, endpoint.id).toBe("unsupported_media_type");
      expect((await send("{", "application/json")).body.error.code, endpoint.id).toBe("invalid_json");
      expect((await send(`{"a":"${"x".repeat(65 * 1024)}"}`, "application/json")).body.error.code, endpoint.id).toBe("payload_too_large");
    }
  });
});

describe("rate limits", () => {
  const limited = useServer(() => serverEnv(t.url, { AUTH_RATE_LIMIT_PER_MINUTE: "3" }));

  it("apply to the token and signup endpoints as on the log-in page: 429 with Retry-After", async () => {
    // The same document (one build), and the same record of what the tests covered.
    expect((await Contract.load(limited.url)).document).toEqual(api.contract.document);
    const client = new ApiClient(limited.url, api.contract);
    const email = `${randomUUID()}@example.com`;
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await client.post("/api/v1/auth/token", { email, password: "wrong password" }));
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 429]);
    const last = answers[3];
    expect(last.body.error.code).toBe("rate_limited");
    expect(Number(last.headers.get("retry-after"))).toBeGreaterThan(0);
    const signup = await client.post("/api/v1/auth/signup", { name: "Flood", email, password: "a long password" });
    expect(signup.status).toBe(429);
  });
});

// Kept honest: the token a test signs is exactly what the server would sign.
describe("test tokens", () => {
  it("are accepted because they are signed with the server's derived key, and a hand-made HS256 token with the secret itself is not", async () => {
    const user = await apiUser(t.db);
    expect((await api.as(user.token).get("/api/v1/bookings")).status).toBe(200);
    const withRawSecret = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(user.id)
      .setIssuer("holdfast")
      .setAudience("holdfast-api")
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("test-secret-that-is-long-enough-0123456789"));
    expect((await api.as(withRawSecret).get("/api/v1/bookings")).status).toBe(401);
  });
});

// Last: the tests above must between them have seen every endpoint succeed and give each error it documents.
describe("coverage of the contract", () => {
  afterAll(() => {
    const missing = ENDPOINTS.flatMap((e) => ["success", ...errorsOf(e)].map((code) => `${e.id} ${code}`)).filter(
      (answer) => !api.contract.seen.has(answer),
    );
    expect(missing).toEqual([]);
  });
  it("is checked after every test in this file has run", () => {
    expect(api.contract.seen.size).toBeGreaterThan(0);
  });
});
