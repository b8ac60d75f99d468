import type { ShowCache } from "~/cache/show-cache.server";
import type { Db } from "~/db/client.server";
import { sendDueWebhooks } from "~/events/webhook-sender.server";
import type { Logger } from "~/logger.server";
import { type AmqpBus, connectAmqp } from "./amqp.server";
import { analyticsConsumer, cacheConsumer, emailConsumer } from "./consumers.server";
import { createMailer, type Mailer } from "./mail.server";
import { type Consumer, DEFAULT_DELIVERY_POLICY, deliverDue, inProcessTransport, relayAll, type Transport } from "./relay.server";
import { announceSeatNews, NEWS_BATCH } from "./seat-news.server";

export interface Events {
  stop(): Promise<void>;
  /** One announcer and relay pass and, without a broker, one delivery pass, now (tests; the loops do the same). */
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
  /** The show list's cache, invalidated by show.* events when it is enabled. */
  showCache?: ShowCache;
  /** The safety net's period for retries and webhooks (the announcer looks every NEWS_POLL_MS). */
  intervalMs?: number;
  /** Instead of the e-mail and analytics consumers (tests). */
  consumers?: Consumer[];
  mailer?: Mailer;
}

/** How long stopping waits for a relay or delivery turn in hand before it lets it go (it is redone later). */
const STOP_WAIT_MS = 5000;
/**
 * How often the announcer looks for seat news and waiting events written by other instances or
 * by hand: a map hears of any change within this (plus a turn), well inside the promised second.
 * A commit in this process wakes it sooner (NEWS_GATHER_MS).
 */
export const NEWS_POLL_MS = 200;
/**
 * After a commit here, the announcer waits this long for others to gather before it runs: one
 * turn (one NOTIFY commit) for a burst, at most about 1000 / NEWS_GATHER_MS turns a second.
 */
export const NEWS_GATHER_MS = 50;
/** Another instance was announcing: look again after this. */
const NEWS_BUSY_RETRY_MS = 40;

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
  let timer: NodeJS.Timeout | undefined;
  return {
    wake,
    /** Wakes it after `ms`, unless a wake is already on its way: a burst of calls is one turn. */
    soon(ms: number) {
      if (timer || stopped) return;
      timer = setTimeout(() => {
        timer = undefined;
        wake();
      }, ms);
      timer.unref();
    },
    async now() {
      await running;
      await turn();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.race([running, new Promise((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref())]);
    },
  };
}

/**
 * The outbox's relay, the seat-news announcer and the consumers, in every instance. Nothing here
 * runs inside a buyer's transaction: the triggers only write rows (drizzle/0014), and these loops
 * work them off after the commit.
 *
 * The announcer (one instance at a time works) runs after each commit in this process (gathered
 * for NEWS_GATHER_MS) and every NEWS_POLL_MS for the others' commits: it NOTIFYs the seat news
 * and tells whether events wait, which wakes the relay (one instance at a time works: RELAY_LOCK).
 * The relay publishes to RabbitMQ when AMQP_URL is set (consumed there by every instance),
 * otherwise into the in-process queue, which a second loop works through, each consumer on its
 * own (a slow mail server never holds up the cache). A broker that is down leaves the events in
 * the outbox; the relay connects again at its next turn and nothing is lost.
 */
export function startEvents(options: EventsOptions): Events {
  const { db, log } = options;
  const mailer = options.mailer ?? createMailer({ smtpUrl: options.smtpUrl, dir: options.mailDir, from: options.mailFrom });
  const consumers = options.consumers ?? [
    emailConsumer(mailer, options.publicUrl),
    analyticsConsumer,
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
  });

  const relay = loop(async () => {
    try {
      const relayed = await relayAll(db, await transport());
      if (relayed.published) {
        log.debug(`events: relayed ${relayed.published}`);
        if (local) deliveries.wake();
        hooks.wake(); // the relay wrote the deliveries of any hooks the events' shows have
      }
      // Another instance is relaying: what it did not take is taken at the next turn.
      if (relayed.busy) relay.soon(NEWS_BUSY_RETRY_MS);
    } catch (error) {
      // The events stay in the outbox; the next turn tries again (with a new connection if the old one died).
      log.error("events: the relay could not publish; the events wait in the outbox", error);
    }
  });

  let newsFailing = false;
  const news = loop(async () => {
    try {
      const turn = await announceSeatNews(db);
      if (newsFailing) log.info("events: seat news is announced again");
      newsFailing = false;
      if (turn.eventsWaiting) relay.wake();
      if (turn.busy) news.soon(NEWS_BUSY_RETRY_MS);
      // A full batch: more is waiting. Otherwise what came meanwhile is announced at the next
      // gathering (a commit here) or poll: going again at once made a sale's announcer run back
      // to back, a NOTIFY commit per turn for a hold or two each.
      else if (turn.rows >= NEWS_BATCH) news.wake();
    } catch (error) {
      // Said once per outage: the poll goes on every NEWS_POLL_MS, and maps poll by themselves meanwhile.
      if (!newsFailing) log.error("events: seat news could not be announced; trying again", error);
      newsFailing = true;
    }
  });

  // A commit in this process may have written news or events: announce them soon.
  const previousAfterCommit = db.$stats.afterCommit;
  db.$stats.afterCommit = () => {
    previousAfterCommit?.();
    news.soon(NEWS_GATHER_MS);
  };
  const poll = setInterval(() => news.wake(), NEWS_POLL_MS);
  poll.unref();
  const timer = setInterval(() => {
    hooks.wake();
    if (local) deliveries.wake(); // retries whose time has come
  }, options.intervalMs ?? 1000);
  timer.unref();
  return {
    async tick() {
      await news.now();
      await relay.now();
      if (local) await deliveries.now();
      await hooks.now();
    },
    async stop() {
      clearInterval(poll);
      clearInterval(timer);
      db.$stats.afterCommit = previousAfterCommit;
      // The last requests' news and events go out before the loops stop (not waiting long on a database that is gone).
      await Promise.race([
        (async () => {
          await news.now();
          await relay.now();
        })().catch(() => {}),
        new Promise((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref()),
      ]);
      await Promise.all([news.stop(), relay.stop(), deliveries.stop(), hooks.stop()]);
      await bus?.close();
    },
  };
}
