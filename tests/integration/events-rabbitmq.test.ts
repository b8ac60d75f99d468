import { randomUUID } from "node:crypto";
import amqp from "amqplib";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { placeHold } from "~/domain/holds.server";
import { type AmqpBus, amqpNames, connectAmqp } from "~/events/amqp.server";
import { EVENT_NAMES, type HoldfastEvent } from "~/events/catalogue";
import { type Consumer, relayAll, relayBatch, type Transport } from "~/events/relay.server";
import { makeShow, makeUsers, NOW, seatIdsByLabel } from "../support/factories";
import { serviceAnswers } from "../support/services";
import { useTestDatabase } from "../support/test-database";

/**
 * The events through a real RabbitMQ (AMQP_URL, or the machine's on 127.0.0.1:5672 as
 * guest/guest). Skipped, and said so, where there is none: the in-process path
 * (events.test.ts) is what a newcomer runs.
 */
const AMQP_URL = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const reachable = await serviceAnswers(AMQP_URL, 5672);
if (!reachable)
  console.warn(
    `SKIPPED tests/integration/events-rabbitmq.test.ts: no RabbitMQ at ${new URL(AMQP_URL).host} (set AMQP_URL, or start rabbitmq-server)`,
  );

const t = useTestDatabase();
const MAX_ATTEMPTS = 3;

describe.skipIf(!reachable)("events through RabbitMQ", () => {
  // Names of this run's own, removed after, so runs never read each other's messages.
  const prefix = `holdfast-test-${randomUUID().slice(0, 8)}`;
  const names = amqpNames(prefix);
  const buses: AmqpBus[] = [];
  const open = async () => {
    const bus = await connectAmqp(AMQP_URL, { maxAttempts: MAX_ATTEMPTS, retryDelayMs: 50, prefix });
    buses.push(bus);
    return bus;
  };
  const seen = new Map<string, HoldfastEvent[]>();
  const recorder = (name: string, fail?: (event: HoldfastEvent) => boolean): Consumer => ({
    name,
    events: EVENT_NAMES,
    async handle(_tx, event) {
      if (fail?.(event)) throw new Error("this consumer fails");
      seen.set(name, [...(seen.get(name) ?? []), event]);
    },
  });
  const until = async (check: () => boolean | Promise<boolean>, ms = 5000) => {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 25))) if (await check()) return;
    throw new Error(`not within ${ms} ms`);
  };

  let admin: amqp.ChannelModel;
  beforeAll(async () => {
    admin = await amqp.connect(AMQP_URL);
  });
  afterAll(async () => {
    for (const bus of buses) await bus.close();
    const channel = await admin.createChannel();
    for (const consumer of ["ledger", "broken", "crash"]) {
      await channel.deleteQueue(names.queueOf(consumer)).catch(() => {});
      await channel.deleteQueue(names.deadQueueOf(consumer)).catch(() => {});
    }
    await channel.deleteExchange(names.exchange).catch(() => {});
    await channel.deleteExchange(names.deadExchange).catch(() => {});
    await admin.close();
  });

  async function holdsOnANewShow(count: number) {
    const show = await makeShow(t.db, { startsAt: new Date(NOW.getTime() + 30 * 86_400_000) });
    const buyers = await makeUsers(t.db, count);
    const ids = Object.values(await seatIdsByLabel(t.db, show.id));
    for (let i = 0; i < count; i++) await placeHold(t.db, { userId: buyers[i], showId: show.id, seatIds: [ids[i]] }, NOW);
    const rows = await t.db.execute<{ event_id: string }>(sql`select event_id from outbox where show_id = ${show.id} order by id`);
    return rows.map((r) => r.event_id);
  }

  it("publishes with confirms and a consumer gets each event once, in order, even when the relay crashed after publishing", async () => {
    const bus = await open();
    await bus.consume(t.db, [recorder("ledger")], () => {});
    const events = await holdsOnANewShow(4);
    // Published and confirmed by the broker, then the relay dies before marking: all four go again.
    const crashing: Transport = {
      async publish(tx, batch) {
        await bus.transport.publish(tx, batch);
        throw new Error("killed after the broker confirmed, before marking");
      },
    };
    await expect(relayBatch(t.db, crashing)).rejects.toThrow("killed");
    await relayAll(t.db, bus.transport);
    await until(() => (seen.get("ledger") ?? []).filter((e) => events.includes(e.id)).length >= 4);
    await new Promise((r) => setTimeout(r, 200)); // the four repeats arrive too, and change nothing
    const got = (seen.get("ledger") ?? []).filter((e) => events.includes(e.id)).map((e) => e.id);
    expect(got).toEqual(events);
    const [handled] = await t.db.execute<{ n: number }>(
      sql`select count(*)::int as n from consumed_events where consumer = 'ledger' and event_id::text = any(${`{${events.join(",")}}`}::text[])`,
    );
    expect(handled.n).toBe(4);
  });

  it("retries a failing consumer and dead-letters the message after the last try; others are not held up", async () => {
    const bus = await open();
    const [poison] = await holdsOnANewShow(1);
    await bus.consume(t.db, [recorder("broken", (e) => e.id === poison)], () => {});
    const later = await holdsOnANewShow(2);
    await relayAll(t.db, bus.transport);
    const channel = await admin.createChannel();
    try {
      await until(async () => (await channel.checkQueue(names.deadQueueOf("broken"))).messageCount === 1, 10_000);
      const dead = await channel.get(names.deadQueueOf("broken"), { noAck: true });
      if (!dead) throw new Error("the dead-letter queue said it had a message, then gave none");
      expect(JSON.parse(dead.content.toString()).id).toBe(poison);
      // Set aside by the quorum queue's delivery limit (after MAX_ATTEMPTS tries), not dropped.
      expect(dead.properties.headers?.["x-death"]?.[0]).toMatchObject({ reason: "delivery_limit", queue: names.queueOf("broken") });
    } finally {
      await channel.close();
    }
    await until(() => later.every((id) => (seen.get("broken") ?? []).some((e) => e.id === id)));
    expect((seen.get("broken") ?? []).some((e) => e.id === poison)).toBe(false);
  });

  it("a consumer that was down gets what was published meanwhile (durable queues, persistent messages)", async () => {
    const first = await open();
    await first.consume(t.db, [recorder("crash")], () => {});
    await first.close(); // the instance goes away
    buses.splice(buses.indexOf(first), 1);
    const events = await holdsOnANewShow(3);
    const relay = await open();
    await relayAll(t.db, relay.transport);
    const back = await open();
    await back.consume(t.db, [recorder("crash")], () => {});
    await until(() => events.every((id) => (seen.get("crash") ?? []).some((e) => e.id === id)));
  });
});
