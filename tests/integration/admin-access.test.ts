import { randomUUID } from "node:crypto";
import path from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users } from "~/db/schema";
import { confirmBooking } from "~/domain/bookings.server";
import { placeHold } from "~/domain/holds.server";
import { TEST_CARDS } from "~/domain/payments";
import { FIXTURE_PASSWORD, FIXTURE_PASSWORD_HASH, makeShow, makeUsers, seatIdsByLabel } from "../support/factories";
import { TestClient } from "../support/http";
import { ROUTES, routeModules } from "../support/routes";
import { serverEnv, useServer } from "../support/server";
import { useTestDatabase } from "../support/test-database";

const t = useTestDatabase();
const server = useServer(() => serverEnv(t.url, { AUTH_RATE_LIMIT_PER_MINUTE: "0" }));

/** Every route module whose path starts with "admin": a new one is checked the day it is added. */
const adminModules = routeModules().filter((file) => file.startsWith("admin"));
/** Every route module of the door (door staff and admins): the same, the day one is added. */
const doorModules = routeModules().filter((file) => file.startsWith("door"));

/** The URL of a flat route file, with `$params` filled in. */
function urlOf(file: string, params: Record<string, string>): string {
  const segments = file
    .replace(/\/route\.tsx?$|\.tsx?$/, "")
    // "[.csv]" is the literal ".csv" of the URL, not a nesting dot.
    .replace(/\[\.([^\]]+)\]/g, "\u0000$1")
    .split(".")
    .map((s) => s.replace("\u0000", "."))
    .filter((s) => s !== "_index")
    // "$showId_" is $showId without nesting its layout: the URL is the same.
    .map((s) => s.replace(/_$/, ""))
    .map((s) => (s.startsWith("$") ? (params[s.slice(1)] ?? randomUUID()) : s));
  return `/${segments.join("/")}`;
}

/** Everything an admin action could change, as one comparable value. */
async function snapshot() {
  const [row] = await t.db.execute<Record<string, unknown>>(sql`
    select (select count(*) from shows)::int as shows,
      (select count(*) from shows where cancelled_at is not null)::int as cancelled,
      (select string_agg(status::text, '' order by id) from seats) as seats,
      (select count(*) from bookings)::int as bookings,
      (select string_agg(role::text, '' order by id) from users) as roles,
      (select count(*) from audit_log)::int as audit,
      (select string_agg(name || price_cents, ',' order by id) from price_zones) as zones,
      (select string_agg(status::text || seat_count || amount_cents, ',' order by id) from bookings) as booking_states,
      (select count(*) from booking_changes)::int as changes,
      (select count(*) from check_ins)::int as check_ins`);
  return row;
}

async function signedInAs(role: "USER" | "DOOR" | "ADMIN") {
  const id = randomUUID();
  const email = `${id}@example.com`;
  await t.db.insert(users).values({ id, name: `Person ${id.slice(0, 4)}`, email, passwordHash: FIXTURE_PASSWORD_HASH, role });
  const client = new TestClient(server.url);
  expect((await client.post("/login", { email, password: FIXTURE_PASSWORD })).status).toBe(302);
  return { client, id };
}

const HOSTILE_INTENTS = ["block", "unblock", "release", "reset", "cancel", "delete", "create", "preview", "add-zone", "move", "resend", ""];

/** A paid booking of A2 on the show, for the booking pages' walk. */
async function paidBooking(showId: string, seatId: number) {
  const [buyer] = await makeUsers(t.db, 1);
  const { booking } = await placeHold(t.db, { userId: buyer, showId, seatIds: [seatId] });
  await confirmBooking(t.db, { userId: buyer, bookingId: booking.id, idempotencyKey: `walk-${randomUUID()}`, card: TEST_CARDS.approve });
  return booking;
}

describe("every admin route refuses visitors and users", () => {
  it("finds the admin routes", () => {
    expect(adminModules).toEqual(
      expect.arrayContaining([
        "admin._index.tsx",
        "admin.shows._index.tsx",
        "admin.shows.new.tsx",
        "admin.shows.$showId.tsx",
        "admin.shows.$showId_.edit.tsx",
        "admin.users.tsx",
      ]),
    );
  });

  it.each(adminModules)(
    "%s: its loader and its action send a visitor to log in, answer USER and DOOR 403, and change nothing",
    async (file) => {
      const mod = await import(path.join(ROUTES, file));
      expect(mod.loader ?? mod.action, `${file} exports neither a loader nor an action`).toBeDefined();
      const show = await makeShow(t.db, { startsAt: new Date(Date.now() + 7 * 86_400_000) });
      const { A1, A2 } = await seatIdsByLabel(t.db, show.id);
      const booking = await paidBooking(show.id, A2);
      const { client: user, id: userId } = await signedInAs("USER");
      const { client: door } = await signedInAs("DOOR");
      const anonymous = new TestClient(server.url);
      const url = urlOf(file, { showId: show.id, bookingId: booking.id });
      const before = await snapshot();

      if (mod.loader) {
        const visitor = await anonymous.get(url);
        expect(visitor.status, `GET ${url} as a visitor`).toBe(302);
        expect(visitor.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
        expect((await user.get(url)).status, `GET ${url} as a USER`).toBe(403);
        expect((await door.get(url)).status, `GET ${url} as DOOR staff`).toBe(403);
      }
      if (mod.action) {
        for (const intent of HOSTILE_INTENTS) {
          const fields = {
            intent,
            seat: String(A1),
            to: "B1",
            requestKey: `hostile-${randomUUID()}`,
            reference: booking.reference,
            userId,
            role: "ADMIN",
            name: "Hijacked",
            venue: "V",
            city: "C",
            startsAt: "2031-01-01T19:00",
            currency: "GBP",
            "priceZones.0.name": "Free",
            "priceZones.0.price": "0",
            "layout.kind": "BUS",
            "layout.arrangement": "2+2",
            "layout.lowerSeats": "4",
            "layout.upperSeats": "0",
          };
          const visitor = await anonymous.post(url, fields);
          expect(visitor.status, `POST ${url} intent=${intent} as a visitor`).toBe(302);
          expect(visitor.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
          expect((await user.post(url, fields)).status, `POST ${url} intent=${intent} as a USER`).toBe(403);
          expect((await door.post(url, fields)).status, `POST ${url} intent=${intent} as DOOR staff`).toBe(403);
        }
      }
      expect(await snapshot()).toEqual(before);
    },
  );

  it("lets an admin in, reading the role from the database on every request", async () => {
    const { client, id } = await signedInAs("ADMIN");
    expect((await client.get("/admin")).status).toBe(200);
    await t.db.execute(sql`update users set role = 'USER' where id = ${id}`);
    expect((await client.get("/admin")).status).toBe(403);
  });
});

describe("the door's routes: door staff and admins only", () => {
  it("finds them", () => {
    expect(doorModules).toEqual(expect.arrayContaining(["door._index.tsx", "door.$showId.tsx", "door.$showId_.list.tsx"]));
  });

  it.each(doorModules)(
    "%s: a visitor is sent to log in and a USER gets 403, changing nothing; DOOR staff and admins get in",
    async (file) => {
      const mod = await import(path.join(ROUTES, file));
      const show = await makeShow(t.db, { startsAt: new Date(Date.now() + 7 * 86_400_000) });
      const { A2 } = await seatIdsByLabel(t.db, show.id);
      const booking = await paidBooking(show.id, A2);
      const url = urlOf(file, { showId: show.id });
      const anonymous = new TestClient(server.url);
      const { client: user } = await signedInAs("USER");
      const before = await snapshot();
      const fields = { reference: booking.reference, door: "North", scanKey: `scan-${randomUUID()}` };
      if (mod.loader) {
        const visitor = await anonymous.get(url);
        expect(visitor.status, `GET ${url} as a visitor`).toBe(302);
        expect(visitor.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
        expect((await user.get(url)).status, `GET ${url} as a USER`).toBe(403);
      }
      if (mod.action) {
        expect((await anonymous.post(url, fields)).status, `POST ${url} as a visitor`).toBe(302);
        expect((await user.post(url, fields)).status, `POST ${url} as a USER`).toBe(403);
      }
      expect(await snapshot()).toEqual(before);
      for (const role of ["DOOR", "ADMIN"] as const) {
        const { client } = await signedInAs(role);
        if (mod.loader) expect((await client.get(url)).status, `GET ${url} as ${role}`).toBe(200);
      }
      if (mod.action) {
        const { client } = await signedInAs("DOOR");
        const answer = await client.post(url, fields);
        expect(answer.status, `POST ${url} as DOOR staff`).toBe(302);
        expect((await snapshot()).check_ins).toBe(Number(before?.check_ins) + 1);
      }
    },
  );
});
