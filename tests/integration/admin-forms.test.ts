import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users } from "~/db/schema";
import { placeHold } from "~/domain/holds.server";
import { FIXTURE_PASSWORD, FIXTURE_PASSWORD_HASH, makeShow, seatIdsByLabel } from "../support/factories";
import { TestClient, textOf } from "../support/http";
import { serverEnv, useServer } from "../support/server";
import { useTestDatabase } from "../support/test-database";

const t = useTestDatabase();
const server = useServer(() => serverEnv(t.url, { AUTH_RATE_LIMIT_PER_MINUTE: "0" }));

async function adminClient() {
  const id = randomUUID();
  const email = `${id}@example.com`;
  await t.db.insert(users).values({ id, name: "Ada Admin", email, passwordHash: FIXTURE_PASSWORD_HASH, role: "ADMIN" });
  const client = new TestClient(server.url);
  expect((await client.post("/login", { email, password: FIXTURE_PASSWORD })).status).toBe(302);
  return client;
}
const countShows = async () => (await t.db.execute<{ n: number }>(sql`select count(*)::int as n from shows`))[0].n;

const theatre = {
  intent: "create",
  name: "Hamlet",
  venue: "Old Vic",
  city: "London",
  timeZone: "Europe/London",
  startsAt: "2031-03-01T19:30",
  currency: "GBP",
  "priceZones.0.name": "Premium",
  "priceZones.0.price": "60",
  "priceZones.1.name": "Standard",
  "priceZones.1.price": "35.50",
  "layout.kind": "THEATRE",
  "layout.sections.0.name": "Stalls",
  "layout.sections.0.rows": "5",
  "layout.sections.0.seatsPerRow": "10",
  "layout.sections.0.aisleAfter": "5",
  "layout.sections.0.zone": "Premium",
  "layout.sections.1.name": "Circle",
  "layout.sections.1.rows": "3",
  "layout.sections.1.seatsPerRow": "12",
  "layout.sections.1.zone": "Standard",
};

describe("the new-show form", () => {
  it("creates a theatre with sections and zones in one go, priced by zone", async () => {
    const admin = await adminClient();
    const response = await admin.post("/admin/shows/new", { ...theatre, name: "Hamlet (ok)" });
    expect(response.status).toBe(302);
    const showId = /\/admin\/shows\/([0-9a-f-]{36})$/.exec(response.headers.get("location") ?? "")?.[1];
    const rows = await t.db.execute<{ label: string; zone: string; price_cents: number }>(sql`
      select s.label, z.name as zone, z.price_cents from seats s join price_zones z on z.id = s.zone_id where s.show_id = ${showId} order by s.id`);
    expect(rows).toHaveLength(86);
    expect(rows[0]).toEqual({ label: "Stalls A1", zone: "Premium", price_cents: 6000 });
    expect(rows[85]).toEqual({ label: "Circle C12", zone: "Standard", price_cents: 3550 });
    const [show] = await t.db.execute<{ starts_at: string }>(sql`select starts_at from shows where id = ${showId}`);
    // 19:30 in London on 1 March is 19:30 UTC (no summer time yet).
    expect(new Date(show.starts_at).toISOString()).toBe("2031-03-01T19:30:00.000Z");
  });

  it.each([
    ["no name", { name: "" }, "name", "Name is required"],
    ["a start in the past", { startsAt: "2020-01-01T10:00" }, "startsAt", "The start time must be in the future"],
    ["a bad time zone", { timeZone: "Mars/Olympus" }, "timeZone", "Time zone must be an IANA name"],
    ["a bad price", { "priceZones.1.price": "cheap" }, "priceZones.1.price", "Price must be an amount like 35 or 35.50"],
    ["two zones with one name", { "priceZones.1.name": "premium" }, "priceZones.1.name", 'There are two zones called "premium"'],
    [
      "a section in no known zone",
      { "layout.sections.1.zone": "Balcony" },
      "layout.sections.1.zone",
      'There is no price zone called "Balcony"',
    ],
    [
      "two sections with one name",
      { "layout.sections.1.name": "Stalls" },
      "layout.sections.1.name",
      'There are two sections called "Stalls"',
    ],
    [
      "an aisle outside the row",
      { "layout.sections.0.aisleAfter": "10" },
      "layout.sections.0.aisleAfter",
      "An aisle after seat 10 is not between two seats",
    ],
    [
      "too many seats",
      { "layout.sections.0.rows": "1000", "layout.sections.0.seatsPerRow": "500" },
      "layout.sections",
      "at most 20,000 seats",
    ],
    ["rows that are not a number", { "layout.sections.0.rows": "many" }, "layout.sections.0.rows", "Rows must be"],
    ["a band that is not a number", { "layout.sections.0.band": "front" }, "layout.sections.0.band", "Band must be a number"],
    ["a control character in the name", { name: "Ham\u0007let" }, "name", "Name cannot contain control or invisible formatting characters"],
  ])("refuses %s with a message at the field, keeps what was typed, stores nothing", async (_, patch, field, message) => {
    const admin = await adminClient();
    const before = await countShows();
    const response = await admin.post("/admin/shows/new", { ...theatre, ...patch });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(textOf(html)).toContain(message);
    // The message sits by its field: the input says it is invalid and points at it.
    if (field !== "layout.sections")
      expect(html).toMatch(
        new RegExp(
          `name="${field.replace(/\./g, "\\.")}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*name="${field.replace(/\./g, "\\.")}"|id="f-${field.replace(/\./g, "-")}-error"`,
        ),
      );
    expect(html).toContain('value="Old Vic"');
    expect(await countShows()).toBe(before);
  });

  const coach = {
    intent: "create",
    name: "Night coach",
    venue: "Victoria",
    city: "London",
    timeZone: "Europe/London",
    startsAt: "2031-03-01T23:00",
    currency: "GBP",
    "priceZones.0.name": "Seat",
    "priceZones.0.price": "12",
    "layout.kind": "BUS",
    "layout.arrangement": "2+1",
    "layout.lowerSeats": "9",
    "layout.upperSeats": "0",
  };
  const clinic = {
    intent: "create",
    name: "Dr Who's Tuesday",
    venue: "Surgery",
    city: "Leeds",
    timeZone: "Europe/London",
    startsAt: "2031-04-02",
    currency: "GBP",
    "priceZones.0.name": "Consultation",
    "priceZones.0.price": "25",
    "layout.kind": "DOCTOR",
    "layout.start": "09:00",
    "layout.end": "11:00",
    "layout.everyMinutes": "20",
  };

  it.each([
    ["a coach with no lower deck", coach, { "layout.lowerSeats": "0" }, "layout.lowerSeats", "Lower deck seats must be between 1 and 120"],
    ["a coach deck that is not a number", coach, { "layout.upperSeats": "lots" }, "layout.upperSeats", "Upper deck seats must be a number"],
    [
      "a coach of an unknown shape",
      coach,
      { "layout.arrangement": "3+3" },
      "layout.arrangement",
      'Seat arrangement must be "2+2" or "2+1"',
    ],
    ["a clinic day that ends before it starts", clinic, { "layout.end": "08:00" }, "layout.end", "End time must be after start time"],
    [
      "a clinic slot longer than the day",
      clinic,
      { "layout.everyMinutes": "180" },
      "layout.everyMinutes",
      "No slot fits between start and end",
    ],
    ["a clinic time that is not a time", clinic, { "layout.start": "9 o'clock" }, "layout.start", "Start time must be a 24-hour time"],
    ["a clinic day in the past", clinic, { startsAt: "2020-01-01" }, "startsAt", "must be in the future"],
  ])("refuses %s with a message at the field, stores nothing", async (_, base, patch, field, message) => {
    const admin = await adminClient();
    const before = await countShows();
    const response = await admin.post("/admin/shows/new", { ...base, ...patch });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(textOf(html)).toContain(message);
    expect(html).toMatch(new RegExp(`id="f-${field.replace(/\./g, "-")}-error"`));
    expect(await countShows()).toBe(before);
    // The same form, fixed, is accepted: the refusal was about that field alone.
    expect((await admin.post("/admin/shows/new", base)).status).toBe(302);
  });

  it("previews without saving, and adds a section without losing what was typed", async () => {
    const admin = await adminClient();
    const before = await countShows();
    const preview = await admin.post("/admin/shows/new", { ...theatre, intent: "preview" });
    expect(preview.status).toBe(200);
    const html = await preview.text();
    expect(textOf(html)).toContain("86 seats");
    expect(html.match(/type="checkbox" disabled tabindex="-1"/g)).toHaveLength(86);
    const added = await admin.post("/admin/shows/new", { ...theatre, intent: "add-section" });
    const again = await added.text();
    expect(again).toContain('name="layout.sections.2.name"');
    expect(again).toContain('value="Circle"');
    expect(await countShows()).toBe(before);
  });
});

describe("the other admin forms", () => {
  it("explain bad input and change nothing: seats of another show, an unknown user, a bad edit", async () => {
    const admin = await adminClient();
    const show = await makeShow(t.db, { startsAt: new Date(Date.now() + 7 * 86_400_000) });
    const other = await makeShow(t.db, { startsAt: new Date(Date.now() + 7 * 86_400_000) });
    const { A1 } = await seatIdsByLabel(t.db, other.id);
    const blocked = await admin.post(`/admin/shows/${show.id}`, { intent: "block", seat: String(A1) });
    expect(blocked.status).toBe(400);
    expect(textOf(await blocked.text())).toContain("Some of these seats are not part of this show");
    const none = await admin.post(`/admin/shows/${show.id}`, { intent: "block" });
    expect(none.status).toBe(400);
    expect(textOf(await none.text())).toContain("Pick at least one seat");
    const role = await admin.post("/admin/users", { userId: randomUUID(), role: "ADMIN" });
    expect(role.status).toBe(404);
    const badRole = await admin.post("/admin/users", { userId: randomUUID(), role: "GOD" });
    expect(badRole.status).toBe(400);
    const edit = await admin.post(`/admin/shows/${show.id}/edit`, { name: "", venue: "V", city: "C", startsAt: "nonsense" });
    expect(edit.status).toBe(400);
    const editHtml = textOf(await edit.text());
    expect(editHtml).toContain("Name is required");
    expect(editHtml).toContain("Start time must be a date and time");
    const [zone] = await t.db.execute<{ name: string }>(sql`select name from price_zones where show_id = ${show.id} limit 1`);
    for (const price of ["free", "-3", "10000000.00", "1.234"]) {
      const priced = await admin.post(`/admin/shows/${show.id}/edit`, {
        name: show.name,
        venue: "V",
        city: "C",
        startsAt: "2031-05-01T19:30",
        "priceZones.0.name": zone.name,
        "priceZones.0.price": price,
      });
      expect(priced.status, price).toBe(400);
      expect(textOf(await priced.text()), price).toMatch(/Price must be an amount like 35 or 35\.50|Price is too high/);
    }
    // A section-wide action names its section: none, or one the show has not, is refused; never the whole show.
    for (const section of [undefined, "", "Nowhere"]) {
      const wide = await admin.post(`/admin/shows/${show.id}`, { intent: "block-section", ...(section === undefined ? {} : { section }) });
      expect(wide.status, String(section)).toBe(400);
      expect(textOf(await wide.text())).toContain("This show has no section called");
    }
    const [row] = await t.db.execute<{ name: string; blocked: number }>(sql`
      select (select name from shows where id = ${show.id}) as name, (select count(*)::int from seats where status = 'BLOCKED') as blocked`);
    expect(row).toEqual({ name: show.name, blocked: 0 });
  });
});

describe("a show's webhooks page", () => {
  it("adds a hook (showing its secret), refuses a bad address with a clear 400 and keeps what was typed, logs a delivery's tries, removes", async () => {
    const admin = await adminClient();
    const show = await makeShow(t.db, { startsAt: new Date(Date.now() + 7 * 86_400_000) });
    const page = `/admin/shows/${show.id}/webhooks`;
    const bad = await admin.post(page, { intent: "add", url: "ftp://example.com/x" });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(textOf(badHtml)).toContain("Enter an http:// or https:// address");
    expect(badHtml).toContain('value="ftp://example.com/x"');
    const added = await admin.post(page, { intent: "add", url: "https://receiver.example.com/holdfast" });
    expect(added.status).toBe(302);
    const [hook] = await t.db.execute<{ id: string; secret: string }>(sql`select id, secret from webhooks where show_id = ${show.id}`);
    const listed = await admin.get(page);
    expect(listed.status).toBe(200);
    const listedHtml = await listed.text();
    expect(listedHtml).toContain("https://receiver.example.com/holdfast");
    expect(listedHtml).toContain(hook.secret);
    expect(textOf(listedHtml)).toContain("Nothing sent yet.");
    // A hold: its event reaches the hook's log (this address does not resolve here: a failed try, to be tried again).
    const [buyer] = await t.db.execute<{ id: string }>(
      sql`insert into users (name, email, password_hash) values ('Bea', ${`${randomUUID()}@example.com`}, 'x') returning id`,
    );
    const { A1 } = await seatIdsByLabel(t.db, show.id);
    await placeHold(t.db, { userId: buyer.id, showId: show.id, seatIds: [A1] });
    let log = "";
    for (const end = Date.now() + 15_000; Date.now() < end && !/booking\.held\s*(failed, will try again|delivered)/.test(log); ) {
      await new Promise((r) => setTimeout(r, 200));
      log = textOf(await (await admin.get(page)).text());
    }
    expect(log).toMatch(/booking\.held\s*failed, will try again\s*1 try/);
    const removed = await admin.post(page, { intent: "remove", webhook: hook.id });
    expect(removed.status).toBe(302);
    expect(textOf(await (await admin.get(page)).text())).toContain("No webhooks yet.");
    expect((await admin.post(page, { intent: "remove", webhook: hook.id })).status).toBe(404);
  });
});
