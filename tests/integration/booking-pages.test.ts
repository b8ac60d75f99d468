import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users } from "~/db/schema";
import { DEMO_LAYOUTS } from "~/domain/layouts";
import { TEST_CARDS } from "~/domain/payments";
import { createShow } from "~/domain/shows.server";
import { FIXTURE_PASSWORD, FIXTURE_PASSWORD_HASH, makeShow, seatIdsByLabel } from "../support/factories";
import { TestClient, textOf } from "../support/http";
import { serverEnv, useServer } from "../support/server";
import { useTestDatabase } from "../support/test-database";

const t = useTestDatabase();
// Holds last 2 s on this server, so a test can watch one end.
const server = useServer(() => serverEnv(t.url, { HOLD_TTL_SECONDS: "2", AUTH_RATE_LIMIT_PER_MINUTE: "0" }));

async function signedIn() {
  const id = randomUUID();
  const email = `${id}@example.com`;
  await t.db.insert(users).values({ id, name: `Buyer ${id.slice(0, 4)}`, email, passwordHash: FIXTURE_PASSWORD_HASH });
  const client = new TestClient(server.url);
  expect((await client.post("/login", { email, password: FIXTURE_PASSWORD })).status).toBe(302);
  return client;
}

const farFuture = () => new Date(Date.now() + 7 * 86_400_000);

async function hold(client: TestClient, showId: string, seatIds: number[]) {
  const body = new URLSearchParams([["intent", "hold"], ...seatIds.map((id) => ["seat", String(id)])]);
  return client.request(`/shows/${showId}`, {
    method: "POST",
    body: body.toString(),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
}

describe("a visitor's ticked seats", () => {
  it("survive log-in and sign-up without JavaScript: the pages say why they appeared, the seats come back ticked", async () => {
    const show = await makeShow(t.db, { startsAt: farFuture() });
    const ids = await seatIdsByLabel(t.db, show.id);
    const visitor = new TestClient(server.url);
    const sent = await hold(visitor, show.id, [ids.A2, ids.A1]);
    expect(sent.status).toBe(302);
    const login = new URL(sent.headers.get("location") ?? "", server.url);
    expect(login.pathname).toBe("/login");
    const back = login.searchParams.get("redirectTo") ?? "";
    expect(back).toBe(`/shows/${show.id}?seat=${ids.A2}&seat=${ids.A1}`);

    const page = textOf(await (await visitor.get(`${login.pathname}${login.search}`)).text());
    expect(page).toContain(`Log in to hold A1 and A2 for ${show.name}: they stay ticked for you.`);
    const signup = await visitor.get(`/signup${login.search}`);
    expect(textOf(await signup.text())).toContain(`Create an account to hold A1 and A2 for ${show.name}`);

    const id = randomUUID();
    const email = `${id}@example.com`;
    await t.db.insert(users).values({ id, name: "Late Buyer", email, passwordHash: FIXTURE_PASSWORD_HASH });
    const loggedIn = await visitor.post("/login", { email, password: FIXTURE_PASSWORD, redirectTo: back });
    expect(loggedIn.status).toBe(302);
    expect(loggedIn.headers.get("location")).toBe(back);
    const html = await (await visitor.get(back)).text();
    expect(html.match(/<input type="checkbox" name="seat"[^>]*checked/g)).toHaveLength(2);
    expect(html).toMatch(new RegExp(`value="${ids.A1}"[^>]*checked`));
    expect(html).toMatch(new RegExp(`value="${ids.A2}"[^>]*checked`));
  });

  it("are never ticked when taken meanwhile, and an address that names no real seat says nothing", async () => {
    const show = await makeShow(t.db, { startsAt: farFuture() });
    const ids = await seatIdsByLabel(t.db, show.id);
    const other = await signedIn();
    expect((await hold(other, show.id, [ids.B1])).status).toBe(302);
    const buyer = await signedIn();
    const html = await (await buyer.get(`/shows/${show.id}?seat=${ids.B1}&seat=${ids.B2}&seat=oops`)).text();
    expect(html.match(/checked/g)).toHaveLength(1);
    expect(html).toMatch(new RegExp(`value="${ids.B2}"[^>]*checked`));

    for (const redirectTo of [
      `/shows/${show.id}?seat=999999999`,
      `/shows/${randomUUID()}?seat=${ids.A1}`,
      "https://evil.example/?seat=1",
    ]) {
      const response = await new TestClient(server.url).get(`/login?${new URLSearchParams({ redirectTo })}`);
      expect(response.status, redirectTo).toBe(200);
      expect(textOf(await response.text()), redirectTo).not.toContain("to hold");
    }
  });
});

describe("the shows page", () => {
  it("filters by kind, city and day without JavaScript, counts with thousands separators, and refuses nonsense with a 400", async () => {
    const city = `Filterton ${randomUUID().slice(0, 6)}`;
    const base = { venue: "Hall", city, timeZone: "Europe/London", priceCents: 1000, currency: "GBP" };
    const day = (n: number) => new Date(Date.now() + n * 86_400_000);
    await createShow(t.db, {
      ...base,
      name: `Big ${city}`,
      startsAt: day(3),
      layout: { kind: "THEATRE", rows: 20, seatsPerRow: 60, aisleAfter: [] },
    });
    await createShow(t.db, {
      ...base,
      name: `Clinic ${city}`,
      startsAt: day(10),
      layout: { kind: "DOCTOR", start: "09:00", end: "10:00", everyMinutes: 15 },
    });
    const page = async (query: Record<string, string>) => {
      const response = await new TestClient(server.url).get(`/?${new URLSearchParams(query)}`);
      return { status: response.status, text: textOf(await response.text()) };
    };

    const all = await page({ city });
    expect(all.status).toBe(200);
    expect(all.text).toContain(`Big ${city}`);
    expect(all.text).toContain("1,200 of 1,200 seats left");
    expect(all.text).toContain(`Clinic ${city}`);
    expect(all.text).toContain("4 of 4 times free");

    const clinics = await page({ city, kind: "DOCTOR", from: "" });
    expect(clinics.text).toContain(`Clinic ${city}`);
    expect(clinics.text).not.toContain(`Big ${city}`);
    const later = await page({ city, from: day(7).toISOString().slice(0, 10) });
    expect(later.text).toContain(`Clinic ${city}`);
    expect(later.text).not.toContain(`Big ${city}`);
    expect((await page({ city: `${city} nowhere` })).text).toContain("Nothing matches these filters.");
    expect((await page({ utm_source: "newsletter" })).status).toBe(200); // other parameters are ignored

    for (const [query, message] of [
      [{ kind: "CONCERT" }, "Pick a kind from the list"],
      [{ from: "2026-02-30" }, "Enter a real date, as YYYY-MM-DD"],
      [{ from: "tomorrow" }, "Enter a real date, as YYYY-MM-DD"],
      [{ city: "x".repeat(101) }, "City must be at most 100 characters"],
    ] as const) {
      const refused = await page(query);
      expect(refused.status, JSON.stringify(query)).toBe(400);
      expect(refused.text).toContain(message);
    }
  });
});

describe("best available on the seat map", () => {
  it("ticks the proposal without JavaScript, gives a clinic its earliest times, and answers nonsense with a 400", async () => {
    const show = await makeShow(t.db, { startsAt: farFuture() });
    const ids = await seatIdsByLabel(t.db, show.id);
    const visitor = new TestClient(server.url);
    const html = await (await visitor.get(`/shows/${show.id}?together=3`)).text();
    expect(textOf(html)).toContain("The best 3 together: A1, A2 and A3, ticked for you.");
    expect(html.match(/<input type="checkbox" name="seat"[^>]*checked/g)).toHaveLength(3);
    expect(html).toMatch(new RegExp(`value="${ids.A1}"[^>]*checked`));
    expect(textOf(await (await visitor.get(`/shows/${show.id}?together=6`)).text())).toContain(
      "No 6 seats together are free: try fewer, or another zone",
    );

    const clinic = await createShow(t.db, {
      name: "Clinic",
      venue: "Room 1",
      city: "Testville",
      timeZone: "Europe/London",
      startsAt: farFuture(),
      priceCents: 1000,
      currency: "GBP",
      layout: { kind: "DOCTOR", start: "09:00", end: "10:00", everyMinutes: 15 },
    });
    expect(textOf(await (await visitor.get(`/shows/${clinic.id}?together=1`)).text())).toContain(
      "The earliest free time: 09:00, ticked for you.",
    );

    for (const query of ["together=0", "together=99", "together=two", `together=2&zone=${"z".repeat(101)}`]) {
      const response = await visitor.get(`/shows/${show.id}?${query}`);
      expect(response.status, query).toBe(400);
    }
    expect(textOf(await (await visitor.get(`/shows/${show.id}?together=2&zone=Balcony`)).text())).toContain(
      "There is no zone called Balcony here",
    );
  });
});

describe("a ticket's calendar entry", () => {
  it("is its holder's alone, and only once paid; a visitor is sent to log in", async () => {
    const show = await makeShow(t.db, { startsAt: farFuture() });
    const { B4 } = await seatIdsByLabel(t.db, show.id);
    const buyer = await signedIn();
    const held = await hold(buyer, show.id, [B4]);
    const page = held.headers.get("location") ?? "";
    expect(page).toMatch(/^\/bookings\/[0-9a-f-]{36}$/);
    expect((await buyer.get(`${page}/calendar.ics`)).status).toBe(404); // held, not paid
    const key = `cal-${randomUUID()}`;
    expect((await buyer.post(page, { intent: "pay", idempotencyKey: key, card: TEST_CARDS.approve })).status).toBe(302);

    const mine = await buyer.get(`${page}/calendar.ics`);
    expect(mine.status).toBe(200);
    expect(mine.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    expect(mine.headers.get("cache-control")).toBe("private, no-store");
    expect(await mine.text()).toContain(`SUMMARY:${show.name}`);

    expect((await (await signedIn()).get(`${page}/calendar.ics`)).status).toBe(404); // someone else's
    const visitor = await new TestClient(server.url).get(`${page}/calendar.ics`);
    expect(visitor.status).toBe(302);
    expect(visitor.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
    for (const bad of ["not-a-uuid", "%00", randomUUID()]) {
      const response = await buyer.get(`/bookings/${bad}/calendar.ics`);
      expect(response.status, bad).toBeGreaterThanOrEqual(400);
      expect(response.status, bad).toBeLessThan(500);
    }
  });
});

describe("the seat map page", () => {
  it("renders every seat as a checkbox named by its label, without the seats in the hydration data", async () => {
    const show = await makeShow(t.db, { startsAt: farFuture() });
    const response = await new TestClient(server.url).get(`/shows/${show.id}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html.match(/<input type="checkbox" name="seat"/g)).toHaveLength(10);
    expect(html).toContain('aria-label="A1"');
    expect(textOf(html)).toContain("10 of 10 seats left");
    const hydration = /window\.__remixContext = (.*?);<\/script>/s.exec(html)?.[1] ?? "";
    expect(hydration).toContain('"codes":"AAAAAAAAAA"');
    expect(hydration).not.toContain('"A1"');
    expect(hydration).not.toContain('"label"');
  });

  it("answers 404 for an unknown or malformed show", async () => {
    const client = new TestClient(server.url);
    expect((await client.get(`/shows/${randomUUID()}`)).status).toBe(404);
    expect((await client.get("/shows/not-a-show")).status).toBe(404);
  });

  it("answers a body that is not a form with 400, on the map and on a booking", async () => {
    const show = await makeShow(t.db, { startsAt: farFuture() });
    const { A5 } = await seatIdsByLabel(t.db, show.id);
    const buyer = await signedIn();
    const json = { method: "POST", body: '{"seat":[1]}', headers: { "Content-Type": "application/json" } };
    expect((await buyer.request(`/shows/${show.id}`, json)).status).toBe(400);
    const page = (await hold(buyer, show.id, [A5])).headers.get("location")!;
    const response = await buyer.request(page, json);
    expect(response.status).toBe(400);
    expect(textOf(await response.text())).toContain("This request could not be read as a form");
  });

  it("sends an anonymous buyer to log in and back before holding", async () => {
    const show = await makeShow(t.db, { startsAt: farFuture() });
    const { A1 } = await seatIdsByLabel(t.db, show.id);
    const response = await hold(new TestClient(server.url), show.id, [A1]);
    expect(response.status).toBe(302);
    // Back to the show with the seat still ticked (see "a visitor's ticked seats").
    expect(response.headers.get("location")).toBe(`/login?${new URLSearchParams({ redirectTo: `/shows/${show.id}?seat=${A1}` })}`);
  });

  it("explains bad holds inside the page with 4xx and holds nothing", async () => {
    const show = await makeShow(t.db, { startsAt: farFuture() });
    const { A1, A2 } = await seatIdsByLabel(t.db, show.id);
    const buyer = await signedIn();
    const none = await hold(buyer, show.id, []);
    expect(none.status).toBe(400);
    expect(textOf(await none.text())).toContain("Pick at least one seat");
    const junk = await hold(buyer, show.id, [Number.NaN]);
    expect(junk.status).toBe(400);
    expect(textOf(await junk.text())).toContain("Unknown seat");

    const first = await hold(await signedIn(), show.id, [A1, A2]);
    expect(first.status).toBe(302);
    const taken = await hold(buyer, show.id, [A2, A1]);
    expect(taken.status).toBe(409);
    const html = await taken.text();
    expect(textOf(html)).toContain("A1 and A2 were just taken — nothing was held");
    expect(html).toMatch(/aria-label="A1 \(held\)" disabled/);
    const [{ n }] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from bookings where show_id = ${show.id}`);
    expect(n).toBe(1);
  });
});

describe("the booking page", () => {
  it("holds, refuses a bad card without echoing it, declines the test card, then pays", async () => {
    const show = await makeShow(t.db, { startsAt: farFuture() });
    const { B1 } = await seatIdsByLabel(t.db, show.id);
    const buyer = await signedIn();
    const held = await hold(buyer, show.id, [B1]);
    const page = held.headers.get("location")!;
    expect(page).toMatch(/^\/bookings\/[0-9a-f-]{36}$/);
    const html = await (await buyer.get(page)).text();
    expect(textOf(html)).toMatch(/Your seats? (?:is|are) held until \d\d:\d\d/);
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(html)![1];

    const bad = await buyer.post(page, { intent: "pay", idempotencyKey: key, card: "1234 5678" });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(textOf(badHtml)).toContain("Card number is not valid");
    expect(badHtml).not.toContain("1234 5678");

    const declined = await buyer.post(page, { intent: "pay", idempotencyKey: key, card: TEST_CARDS.decline });
    expect(declined.status).toBe(402);
    expect(textOf(await declined.text())).toContain("Your card was declined");

    const unknown = await buyer.post(page, { intent: "teleport" });
    expect(unknown.status).toBe(400);

    const paid = await buyer.post(page, { intent: "pay", idempotencyKey: `${key}-2`, card: TEST_CARDS.approve });
    expect(paid.status).toBe(302);
    const ticket = textOf(await (await buyer.get(page)).text());
    expect(ticket).toContain("Ticket");
    expect(ticket).toMatch(/[2-9A-HJ-NP-Z]{10}/);
  });

  it("answers 404 for someone else's booking, to the page and to its actions", async () => {
    const show = await makeShow(t.db, { startsAt: farFuture() });
    const { B2 } = await seatIdsByLabel(t.db, show.id);
    const owner = await signedIn();
    const page = (await hold(owner, show.id, [B2])).headers.get("location")!;
    const stranger = await signedIn();
    expect((await stranger.get(page)).status).toBe(404);
    expect((await stranger.post(page, { intent: "release" })).status).toBe(404);
    expect((await stranger.get(`/bookings/${randomUUID()}`)).status).toBe(404);
    expect((await new TestClient(server.url).get(page)).status).toBe(302);
  });

  it("says plainly when the hold has ended, with 410 for a late payment", async () => {
    const show = await makeShow(t.db, { startsAt: farFuture() });
    const { B3 } = await seatIdsByLabel(t.db, show.id);
    const buyer = await signedIn();
    const page = (await hold(buyer, show.id, [B3])).headers.get("location")!;
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(await (await buyer.get(page)).text())![1];
    await new Promise((r) => setTimeout(r, 2_100));
    const late = await buyer.post(page, { intent: "pay", idempotencyKey: key, card: TEST_CARDS.approve });
    expect(late.status).toBe(410);
    expect(textOf(await late.text())).toMatch(/Your hold ended at \d\d:\d\d and the seats were released/);
    expect(textOf(await (await buyer.get(page)).text())).toContain("This hold has ended. The seats were released.");
  });

  it("lists the buyer's bookings", async () => {
    const show = await makeShow(t.db, { startsAt: farFuture() });
    const { B4 } = await seatIdsByLabel(t.db, show.id);
    const buyer = await signedIn();
    await hold(buyer, show.id, [B4]);
    const list = textOf(await (await buyer.get("/bookings")).text());
    expect(list).toContain(show.name);
    expect(list).toContain("B4");
  });
});

describe("a 20,000-seat arena, sold a section at a time", () => {
  const arenaShow = () =>
    createShow(t.db, {
      name: `Arena ${randomUUID().slice(0, 8)}`,
      venue: "Docklands Arena",
      city: "London",
      timeZone: "Europe/London",
      startsAt: farFuture(),
      priceCents: 3500,
      currency: "GBP",
      priceZones: [
        { name: "Premium", priceCents: 9000 },
        { name: "Standard", priceCents: 6000 },
        { name: "Value", priceCents: 3500 },
      ],
      layout: DEMO_LAYOUTS.arena,
    });
  const seatsIn = (html: string) => html.match(/<input type="checkbox" name="seat"/g)?.length ?? 0;
  const hydrationOf = (html: string) => /window\.__remixContext = (.*?);<\/script>/s.exec(html)?.[1] ?? "";

  it("ships the plan and no seat until a section is picked, then that section's 500 seats: each page well under 150 KB", async () => {
    const show = await arenaShow();
    const ids = await seatIdsByLabel(t.db, show.id);
    const buyer = await signedIn();
    expect((await hold(buyer, show.id, [ids["Block 104 A1"], ids["Block 104 A2"]])).status).toBe(302);
    const visitor = new TestClient(server.url);

    const overview = await (await visitor.get(`/shows/${show.id}`)).text();
    expect(seatsIn(overview)).toBe(0);
    expect(Buffer.byteLength(overview)).toBeLessThan(150 * 1024);
    const text = textOf(overview);
    expect(text).toContain("Pick a section");
    expect(text).toContain("19,998 of 20,000 seats left");
    expect(overview).toContain('aria-label="Block 104, Standard £60.00: 498 of 500 seats left"');
    expect(overview).toContain('aria-label="Floor A, Premium £90.00: 500 of 500 seats left"');
    expect(hydrationOf(overview)).toContain('"codes":""');

    const section = await visitor.get(`/shows/${show.id}?section=${encodeURIComponent("block 104")}`);
    expect(section.status).toBe(200);
    const html = await section.text();
    expect(seatsIn(html)).toBe(500);
    expect(Buffer.byteLength(html)).toBeLessThan(150 * 1024);
    expect(html).toContain('aria-label="Block 104 A1 (held)" disabled');
    expect(html).toContain('aria-current="true"');
    expect(html).not.toContain("Block 105 A1");
    // The section's codes only, in the hydration data: 500 of them, the two held first.
    expect(/"codes":"(H{2}A{498})"/.exec(hydrationOf(html))).not.toBeNull();
  });

  it("opens the section of the best seats proposed, and of seats carried through a log-in", async () => {
    const show = await arenaShow();
    const ids = await seatIdsByLabel(t.db, show.id);
    const client = new TestClient(server.url);
    const proposed = await (await client.get(`/shows/${show.id}?together=4&zone=Value`)).text();
    expect(textOf(proposed)).toMatch(/The best 4 together in Value: Block 20[45] A\d+, /);
    expect(seatsIn(proposed)).toBe(500);
    expect(proposed.match(/<input type="checkbox" name="seat"[^>]*checked/g)).toHaveLength(4);

    const carried = await (await client.get(`/shows/${show.id}?seat=${ids["Block 212 C3"]}`)).text();
    expect(carried).toMatch(/aria-label="Block 212 C3" checked/);
    expect(carried).toContain('aria-current="true"');
  });

  it("says so, and shows the plan, for a section it does not have; its seat-map resource answers 404", async () => {
    const show = await arenaShow();
    const client = new TestClient(server.url);
    const response = await client.get(`/shows/${show.id}?section=${encodeURIComponent("<b>Block 999</b>")}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    // Said back as text, never as markup.
    expect(html).toContain("There is no section called &lt;b&gt;Block 999&lt;/b&gt; here: pick one from the plan");
    expect(html).not.toContain("<b>Block 999</b>");
    expect(seatsIn(html)).toBe(0);

    const map = await client.get(`/shows/${show.id}/seat-map?section=${encodeURIComponent("Block 999")}`);
    expect(map.status).toBe(404);
    const fragment = await client.get(`/shows/${show.id}/seat-map?section=${encodeURIComponent("Floor B")}`);
    expect(fragment.status).toBe(200);
    const body = (await fragment.json()) as { html: string; codes: string };
    expect(body.codes).toBe("A".repeat(500));
    expect(seatsIn(body.html)).toBe(500);
    expect(body.html).toContain('aria-label="Floor B A1"');
  });
});
