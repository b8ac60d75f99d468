import type postgres from "postgres";
import type { ShowCache } from "~/cache/show-cache.server";
import type { Db } from "~/db/client.server";
import type { Logger } from "~/logger.server";
import { type AmqpBus, connectAmqp } from "./amqp.server";
import { analyticsConsumer, cacheConsumer, emailConsumer } from "./consumers.server";
import { createMailer, type Mailer } from "./mail.server";
import { type Consumer, DEFAULT_DELIVERY_POLICY, deliverDue, inProcessTransport, relayAll, type Transport } from "./relay.server";
import { sendDueWebhooks, webhookConsumer } from "./webhooks.server";

export interface Events {
  stop(): Promise<void>;
  /** One relay pass and, without a broker, one delivery pass, now (tests; the loops do the same). */
  tick(): Promise<void>;
}

export interface EventsOptions {
  db: Db;
  log: Logger;
  amqpUrl?: string;
  smtpUrl?: string;
  mailDir: string;
  mailFrom: string;
  /** For links in e-mails. */
  publicUrl: string;
  /** LISTENs for the outbox trigger's wake-up (holdfast_outbox), so events go out at once, not at the next turn. */
  listenSql?: postgres.Sql;
  /** The show list's cache, invalidated by show.* events when it is enabled. */
  showCache?: ShowCache;
  intervalMs?: number;
  /** Instead of the e-mail and analytics consumers (tests). */
  consumers?: Consumer[];
  mailer?: Mailer;
}

/** How long stopping waits for a relay or delivery turn in hand before it lets it go (it is redone later). */
const STOP_WAIT_MS = 5000;

/**
 * A loop that runs `turn` when woken, never two at once: woken while it runs, it runs once more
 * after. `stop` waits for the turn in hand, at most STOP_WAIT_MS.
 */
function loop(turn: () => Promise<void>) {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const wake = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = turn().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        wake();
      }
    });
  };
  return {
    wake,
    async now() {
      await running;
      await turn();
    },
    async stop() {
      stopped = true;
      await Promise.race([running, new Promise((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref())]);
    },
  };
}

/**
 * The outbox's relay and the consumers, in every instance. The relay (one instance at a time
 * works: RELAY_LOCK) runs at each commit that wrote events (the trigger's NOTIFY) and every
 * `intervalMs` as a safety net; it publishes to RabbitMQ when AMQP_URL is set (consumed there by
 * every instance), otherwise into the in-process queue, which a second loop works through, each
 * consumer on its own (a slow mail server never holds up the cache). A broker that is down leaves
 * the events in the outbox; the relay connects again at its next turn and nothing is lost.
 */
export function startEvents(options: EventsOptions): Events {
  const { db, log } = options;
  const mailer = options.mailer ?? createMailer({ smtpUrl: options.smtpUrl, dir: options.mailDir, from: options.mailFrom });
  const consumers = options.consumers ?? [
    emailConsumer(mailer, options.publicUrl),
    analyticsConsumer,
    webhookConsumer,
    ...(options.showCache?.enabled ? [cacheConsumer(options.showCache)] : []),
  ];
  const onError = (consumer: string, error: unknown) => log.error(`events: the ${consumer} consumer failed; it will be tried again`, error);
  let bus: AmqpBus | undefined;
  const local = options.amqpUrl ? undefined : inProcessTransport(consumers);
  log.info(`events: ${options.amqpUrl ? "through RabbitMQ" : "delivered in process (no AMQP_URL)"}; e-mail to ${mailer.where}`);

  const transport = async (): Promise<Transport> => {
    if (local) return local;
    if (bus?.alive) return bus.transport;
    const old = bus;
    bus = undefined;
    await old?.close(0);
    const connected = await connectAmqp(options.amqpUrl as string, {
      maxAttempts: DEFAULT_DELIVERY_POLICY.maxAttempts,
      onDead: (error) => {
        log.error("events: the RabbitMQ connection was lost; connecting again at the next turn", error);
        relay.wake();
      },
    });
    try {
      await connected.consume(db, consumers, onError);
    } catch (error) {
      await connected.close(0);
      throw error;
    }
    bus = connected;
    log.info("events: connected to RabbitMQ");
    return connected.transport;
  };

  // Webhooks' own sending (whatever the transport): due deliveries, every interval and after new ones.
  const hooks = loop(async () => {
    try {
      const sent = await sendDueWebhooks(db);
      if (sent.dead) log.error(`events: ${sent.dead} webhook delivery(ies) dead after their last try`);
      if (sent.delivered + sent.failed + sent.dead >= 20) hooks.wake();
    } catch (error) {
      log.error("events: sending webhooks failed", error);
    }
  });

  const deliveries = loop(async () => {
    // Each consumer works through its own deliveries, side by side.
    const results = await Promise.allSettled(consumers.map((consumer) => deliverDue(db, [consumer])));
    for (const [i, result] of results.entries()) {
      if (result.status === "rejected") log.error(`events: delivering to ${consumers[i].name} failed`, result.reason);
      else if (result.value.dead) log.error(`events: ${result.value.dead} delivery(ies) to ${consumers[i].name} dead after their last try`);
      // A full batch: there may be more.
      if (result.status === "fulfilled" && result.value.done + result.value.failed + result.value.dead >= 50) deliveries.wake();
    }
    hooks.wake();
  });

  const relay = loop(async () => {
    try {
      const relayed = await relayAll(db, await transport());
      if (relayed.published) {
        log.debug(`events: relayed ${relayed.published}`);
        if (local) deliveries.wake();
      }
    } catch (error) {
      // The events stay in the outbox; the next turn tries again (with a new connection if the old one died).
      log.error("events: the relay could not publish; the events wait in the outbox", error);
    }
  });

  const timer = setInterval(() => {
    relay.wake();
    hooks.wake();
    if (local) deliveries.wake(); // retries whose time has come
  }, options.intervalMs ?? 1000);
  timer.unref();
  let stopped = false;
  let unlisten: (() => Promise<void>) | undefined;
  options.listenSql
    ?.listen("holdfast_outbox", () => relay.wake())
    .then((listening) => {
      if (stopped) void listening.unlisten().catch(() => {});
      else unlisten = listening.unlisten;
    })
    .catch((error) => log.error("events: could not LISTEN for new events; relaying every interval instead", error));
  return {
    async tick() {
      await relay.now();
      if (local) await deliveries.now();
      await hooks.now();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await unlisten?.().catch(() => {});
      await Promise.all([relay.stop(), deliveries.stop(), hooks.stop()]);
      await bus?.close();
    },
  };
}
