import { createHmac, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users, webhookDeliveries } from "~/db/schema";
import { placeHold } from "~/domain/holds.server";
import { addWebhook, listWebhooks, removeWebhook } from "~/domain/webhooks.server";
import { inProcessTransport, relayAll } from "~/events/relay.server";
import { sendDueWebhooks } from "~/events/webhook-sender.server";
import { makeShow, makeUsers, NOW, seatIdsByLabel } from "../support/factories";
import { useTestDatabase } from "../support/test-database";

/** Webhooks: an admin's URL per show, each event POSTed, signed, retried, logged. */
const t = useTestDatabase();
const quick = { maxAttempts: 3, backoffMs: () => 0, leaseMs: 60_000 };

interface Received {
  headers: IncomingMessage["headers"];
  body: string;
}
/** A receiver on loopback that answers with the next of `answers` (then 200), and keeps what it got. */
let receiver: Server;
let baseUrl: string;
const got = new Map<string, Received[]>();
const answers = new Map<string, number[]>();
beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const path = req.url ?? "/";
      got.set(path, [...(got.get(path) ?? []), { headers: req.headers, body }]);
      res.statusCode = answers.get(path)?.shift() ?? 200;
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

async function admin() {
  const [id] = await makeUsers(t.db, 1);
  await t.db.update(users).set({ role: "ADMIN" }).where(eq(users.id, id));
  const [row] = await t.db.select().from(users).where(eq(users.id, id));
  return { id, name: row.name, email: row.email, role: "ADMIN" as const };
}

/** A hold on a new show with a hook at `path`, relayed (the relay writes a delivery for each of the show's hooks). */
async function heldWithHook(path: string) {
  const ada = await admin();
  const show = await makeShow(t.db, { startsAt: new Date(NOW.getTime() + 30 * 86_400_000) });
  const hook = await addWebhook(t.db, ada, show.id, { url: `${baseUrl}${path}` });
  const [buyer] = await makeUsers(t.db, 1);
  const { A1 } = await seatIdsByLabel(t.db, show.id);
  const held = await placeHold(t.db, { userId: buyer, showId: show.id, seatIds: [A1] }, NOW);
  await relayAll(t.db, inProcessTransport([]));
  return { ada, show, hook, held };
}

describe("webhooks", () => {
  it("POST each of the show's events, signed with the hook's secret (the time signed too)", async () => {
    const path = `/ok-${randomUUID()}`;
    const { hook, held, show } = await heldWithHook(path);
    expect(await sendDueWebhooks(t.db, new Date(), quick)).toMatchObject({ delivered: 1, failed: 0, dead: 0 });
    const [request] = got.get(path) ?? [];
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["x-holdfast-event"]).toBe("booking.held");
    const event = JSON.parse(request.body);
    expect(event).toMatchObject({
      name: "booking.held",
      showId: show.id,
      version: 1,
      payload: { bookingId: held.booking.id, seatLabels: ["A1"] },
    });
    const signature = String(request.headers["x-holdfast-signature"]);
    const [, ts, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature) ?? [];
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
    expect(v1).toBe(createHmac("sha256", hook.secret).update(`${ts}.${request.body}`).digest("hex"));
    // Nothing is sent twice.
    expect(await sendDueWebhooks(t.db, new Date(), quick)).toMatchObject({ delivered: 0 });
    expect(got.get(path)).toHaveLength(1);
  });

  it("try again after a failure, and give up after the last try; the log says which", async () => {
    const flaky = `/flaky-${randomUUID()}`;
    answers.set(flaky, [500, 503]);
    const { ada, show } = await heldWithHook(flaky);
    const broken = `/broken-${randomUUID()}`;
    answers.set(broken, [500, 500, 500, 500]);
    await addWebhook(t.db, ada, show.id, { url: `${baseUrl}${broken}` });
    // The broken hook joins after the first hold: a second hold's event reaches both.
    const [other] = await makeUsers(t.db, 1);
    const { A2 } = await seatIdsByLabel(t.db, show.id);
    await placeHold(t.db, { userId: other, showId: show.id, seatIds: [A2] }, NOW);
    await relayAll(t.db, inProcessTransport([]));
    for (let i = 0; i < 4; i++) await sendDueWebhooks(t.db, new Date(), quick);
    // Both events go out at once: each is refused once (500, 503), then answered 200.
    expect(got.get(flaky)?.length).toBe(4);
    expect(got.get(broken)?.length).toBe(3); // three tries, then it gave up
    const hooks = await listWebhooks(t.db, ada, show.id);
    const states = Object.fromEntries(
      hooks.map((h) => [new URL(h.url).pathname, h.deliveries.map((d) => [d.state, d.attempts, d.lastStatus])]),
    );
    expect(states[flaky]).toEqual([
      ["delivered", 2, 200],
      ["delivered", 2, 200],
    ]);
    expect(states[broken]).toEqual([["dead", 3, 500]]);
  });

  it("refuse a non-admin, a bad address, the same address twice, an unknown show or hook", async () => {
    const ada = await admin();
    const show = await makeShow(t.db);
    const [userId] = await makeUsers(t.db, 1);
    const user = { id: userId, name: "U", email: "u@example.com", role: "USER" as const };
    await expect(addWebhook(t.db, user, show.id, { url: "https://example.com/hook" })).rejects.toThrow("Only administrators");
    await expect(addWebhook(t.db, ada, show.id, { url: "ftp://example.com/hook" })).rejects.toMatchObject({
      fieldErrors: { url: expect.stringContaining("http:// or https://") },
    });
    await expect(addWebhook(t.db, ada, show.id, { url: "https://user:pass@example.com/hook" })).rejects.toMatchObject({
      fieldErrors: { url: expect.any(String) },
    });
    await addWebhook(t.db, ada, show.id, { url: "https://example.com/hook" });
    await expect(addWebhook(t.db, ada, show.id, { url: " https://example.com/hook " })).rejects.toMatchObject({
      fieldErrors: { url: "This address is already registered for this show" },
    });
    await expect(addWebhook(t.db, ada, randomUUID(), { url: "https://example.com/hook" })).rejects.toThrow("no such show");
    await expect(removeWebhook(t.db, ada, show.id, "not-an-id")).rejects.toThrow("no such webhook");
    await expect(removeWebhook(t.db, ada, show.id, randomUUID())).rejects.toThrow("no such webhook");
    const [hook] = await listWebhooks(t.db, ada, show.id);
    await removeWebhook(t.db, ada, show.id, hook.id);
    expect(await listWebhooks(t.db, ada, show.id)).toEqual([]);
    expect(await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, hook.id))).toEqual([]);
  });
});
