import { randomUUID } from "node:crypto";
import path from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users } from "~/db/schema";
import { FIXTURE_PASSWORD, FIXTURE_PASSWORD_HASH, makeShow, seatIdsByLabel } from "../support/factories";
import { TestClient } from "../support/http";
import { ROUTES, routeModules } from "../support/routes";
import { serverEnv, useServer } from "../support/server";
import { useTestDatabase } from "../support/test-database";

const t = useTestDatabase();
const server = useServer(() => serverEnv(t.url, { AUTH_RATE_LIMIT_PER_MINUTE: "0" }));

/** Every route module whose path starts with "admin": a new one is checked the day it is added. */
const adminModules = routeModules().filter((file) => file.startsWith("admin"));

/** The URL of a flat route file, with `$params` filled in. */
function urlOf(file: string, params: Record<string, string>): string {
  const segments = file
    .replace(/\/route\.tsx?$|\.tsx?$/, "")
    .split(".")
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
      (select string_agg(name || price_cents, ',' order by id) from price_zones) as zones`);
  return row;
}

async function signedInAs(role: "USER" | "ADMIN") {
  const id = randomUUID();
  const email = `${id}@example.com`;
  await t.db.insert(users).values({ id, name: `Person ${id.slice(0, 4)}`, email, passwordHash: FIXTURE_PASSWORD_HASH, role });
  const client = new TestClient(server.url);
  expect((await client.post("/login", { email, password: FIXTURE_PASSWORD })).status).toBe(302);
  return { client, id };
}

const HOSTILE_INTENTS = ["block", "unblock", "release", "reset", "cancel", "delete", "create", "preview", "add-zone", ""];

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

  it.each(adminModules)("%s: its loader and its action send a visitor to log in, answer a USER 403, and change nothing", async (file) => {
    const mod = await import(path.join(ROUTES, file));
    expect(mod.loader ?? mod.action, `${file} exports neither a loader nor an action`).toBeDefined();
    const show = await makeShow(t.db, { startsAt: new Date(Date.now() + 7 * 86_400_000) });
    const { A1 } = await seatIdsByLabel(t.db, show.id);
    const { client: user, id: userId } = await signedInAs("USER");
    const anonymous = new TestClient(server.url);
    const url = urlOf(file, { showId: show.id });
    const before = await snapshot();

    if (mod.loader) {
      const visitor = await anonymous.get(url);
      expect(visitor.status, `GET ${url} as a visitor`).toBe(302);
      expect(visitor.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
      expect((await user.get(url)).status, `GET ${url} as a USER`).toBe(403);
    }
    if (mod.action) {
      for (const intent of HOSTILE_INTENTS) {
        const fields = {
          intent,
          seat: String(A1),
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
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it("lets an admin in, reading the role from the database on every request", async () => {
    const { client, id } = await signedInAs("ADMIN");
    expect((await client.get("/admin")).status).toBe(200);
    await t.db.execute(sql`update users set role = 'USER' where id = ${id}`);
    expect((await client.get("/admin")).status).toBe(403);
  });
});
