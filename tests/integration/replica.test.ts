import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDatabase, type Database } from "~/db/client.server";
import { ApiClient, apiUser, Contract } from "../support/api";
import { makeShow, seatIdsByLabel } from "../support/factories";
import { type PrimaryAndReplica, startPrimaryWithReplica } from "../support/replica";
import { capturingLogger, serverEnv, useServer } from "../support/server";

/**
 * A read replica for the listings (DATABASE_REPLICA_URLS), on a real streaming standby: the
 * standby's replay is paused, so it is as far behind as a test wants. What must hold: the show
 * list is read there (and may be behind); every hold is decided on the primary, so lag never
 * lets a hold take a taken seat; and what a buyer is told is theirs comes from the primary.
 */
let pair: PrimaryAndReplica;
let primary: Database;
beforeAll(async () => {
  pair = await startPrimaryWithReplica();
  const admin = postgres(pair.primary.url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database holdfast`);
  await admin.end();
}, 120_000);
const log = capturingLogger("error");
const server = useServer(
  () =>
    serverEnv(pair.primary.urlFor("holdfast"), {
      DATABASE_REPLICA_URLS: pair.replicaUrlFor("holdfast"),
      AUTH_RATE_LIMIT_PER_MINUTE: "0",
      SWEEP_INTERVAL_SECONDS: "86400",
    }),
  { logger: log.logger },
);
beforeAll(() => {
  // The server migrated the primary; the tests write through a pool of their own, as another instance would.
  primary = connectDatabase(pair.primary.urlFor("holdfast"), { max: 2 });
});
afterAll(async () => {
  await primary?.close();
  await pair?.stop();
});

// The API through the tests' client, every answer checked against the served OpenAPI document.
let client: ApiClient;
beforeAll(async () => {
  client = new ApiClient(server.url, await Contract.load(server.url));
});
const api = (method: string, path: string, token?: string, body?: unknown) => client.as(token).call(method, path, { body });
const listedIds = async () => ((await api("GET", "/api/v1/shows?limit=100")).body.shows as Array<{ id: string }>).map((s) => s.id);
const farFuture = () => new Date(Date.now() + 30 * 86_400_000);

/** The standby's own word on a seat (what a listing read there would see). */
async function statusOnReplica(seatId: number): Promise<string> {
  const replica = postgres(pair.replicaUrlFor("holdfast"), { max: 1, onnotice: () => {} });
  try {
    const [row] = await replica<{ status: string }[]>`select status from seats where id = ${seatId}`;
    return row.status;
  } finally {
    await replica.end();
  }
}

describe("a read replica behind the primary", () => {
  it("serves the show list, which may lag; holds and a buyer's own seats come from the primary", async () => {
    const first = await makeShow(primary.db, { startsAt: farFuture() });
    await pair.caughtUp();
    expect(await listedIds()).toContain(first.id);

    await pair.pauseReplay();
    try {
      // The list is read on the standby: a show made now is not on it yet, on the API or the page.
      const second = await makeShow(primary.db, { startsAt: farFuture() });
      expect(await listedIds()).not.toContain(second.id);
      const page = await fetch(`${server.url}/`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain(first.name);
      expect(html).not.toContain(second.name);
      // Its own page is not a listing: read on the primary.
      expect((await api("GET", `/api/v1/shows/${second.id}`)).status).toBe(200);

      const { A1 } = await seatIdsByLabel(primary.db, first.id);
      const alice = await apiUser(primary.db);
      const bob = await apiUser(primary.db);
      const held = await api("POST", `/api/v1/shows/${first.id}/holds`, alice.token, { seatIds: [A1] });
      expect(held.status).toBe(201);
      // The standby still says A1 is free…
      expect(await statusOnReplica(A1)).toBe("AVAILABLE");
      // …and it never decides a hold: Bob is refused on the primary's word.
      const refused = await api("POST", `/api/v1/shows/${first.id}/holds`, bob.token, { seatIds: [A1] });
      expect(refused.status).toBe(409);

      // The standby catches up (A1 held by Alice there too) and falls behind again.
      await pair.resumeReplay();
      await pair.caughtUp();
      expect(await statusOnReplica(A1)).toBe("PENDING");
      await pair.pauseReplay();
      // Alice lets it go; the standby still has it held by her. She is told it is not hers any more,
      // and Bob may take it.
      const released = await api("DELETE", `/api/v1/bookings/${held.body.booking.id}`, alice.token);
      expect(released.status).toBe(200);
      expect(await statusOnReplica(A1)).toBe("PENDING");
      const aliceSees = await api("GET", `/api/v1/shows/${first.id}`, alice.token);
      expect(aliceSees.body.seats.find((s: { id: number }) => s.id === A1)).toMatchObject({ status: "AVAILABLE", mine: false });
      const aliceBookings = await api("GET", "/api/v1/bookings", alice.token);
      expect(aliceBookings.body.bookings.map((b: { status: string }) => b.status)).toEqual(["RELEASED"]);
      const bobHolds = await api("POST", `/api/v1/shows/${first.id}/holds`, bob.token, { seatIds: [A1] });
      expect(bobHolds.status).toBe(201);
      const bobSees = await api("GET", `/api/v1/shows/${first.id}`, bob.token);
      expect(bobSees.body.seats.find((s: { id: number }) => s.id === A1)).toMatchObject({ status: "PENDING", mine: true });
    } finally {
      await pair.resumeReplay();
    }
    await pair.caughtUp();
    expect((await listedIds()).length).toBeGreaterThanOrEqual(2);
  });

  it("a replica out of reach: the show list is read from the primary, and nothing fails", async () => {
    const show = await makeShow(primary.db, { startsAt: farFuture() });
    await pair.stopReplica();
    const started = Date.now();
    expect(await listedIds()).toContain(show.id); // the primary's list, fresh
    expect((await fetch(`${server.url}/`)).status).toBe(200);
    // The replica is rested after its failure: later lists do not wait on it again.
    expect(await listedIds()).toContain(show.id);
    expect(Date.now() - started).toBeLessThan(10_000);
    // Said once, by its place in the list: never its URL, which carries a password.
    const said = log.lines().filter((line) => line.msg.includes("read replica"));
    expect(said.map((line) => line.msg)).toEqual(["read replica 1 of 1 failed; the listing was read from the primary"]);
    expect(log.text()).not.toContain(new URL(pair.replicaUrlFor("holdfast")).password);
  });
});
