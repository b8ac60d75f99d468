import type postgres from "postgres";
import type { ShowCache } from "~/cache/show-cache.server";
import type { Db } from "~/db/client.server";
import type { Logger } from "~/logger.server";
import { type AmqpBus, connectAmqp } from "./amqp.server";
import { analyticsConsumer, cacheConsumer, emailConsumer } from "./consumers.server";
import { createMailer, type Mailer } from "./mail.server";
import { type Consumer, DEFAULT_DELIVERY_POLICY, deliverDue, inProcessTransport, relayAll, type Transport } from "./relay.server";

export interface Events {
  stop(): Promise<void>;
  /** One relay pass and, without a broker, one delivery pass, now (tests; the timer does the same). */
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
  intervalMs?: number;
  /** The show list's cache, invalidated by show.* events when it is enabled. */
  showCache?: ShowCache;
  /** Instead of the e-mail and analytics consumers (tests). */
  consumers?: Consumer[];
  mailer?: Mailer;
}

/**
 * The outbox's relay and the consumers, in every instance: the relay every `intervalMs` (one
 * instance at a time works: RELAY_LOCK), to RabbitMQ when AMQP_URL is set (consumed there by
 * every instance, competing), otherwise into the in-process queue that this process works
 * through. A broker that is down leaves the events in the outbox; the relay connects again at
 * its next turn and nothing is lost.
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
  let connecting: Promise<Transport> | undefined;
  const local = options.amqpUrl ? undefined : inProcessTransport(consumers);
  log.info(`events: ${options.amqpUrl ? "through RabbitMQ" : "delivered in process (no AMQP_URL)"}; e-mail to ${mailer.where}`);

  const transport = async (): Promise<Transport> => {
    if (local) return local;
    if (bus) return bus.transport;
    connecting ??= (async () => {
      try {
        const connected = await connectAmqp(options.amqpUrl as string, { maxAttempts: DEFAULT_DELIVERY_POLICY.maxAttempts });
        await connected.consume(db, consumers, onError);
        bus = connected;
        log.info("events: connected to RabbitMQ");
        return connected.transport;
      } finally {
        connecting = undefined;
      }
    })();
    return connecting;
  };

  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = async () => {
    try {
      const relayed = await relayAll(db, await transport());
      if (relayed.published) log.debug(`events: relayed ${relayed.published}`);
    } catch (error) {
      // The events stay in the outbox; the next turn tries again.
      log.error("events: the relay could not publish; the events wait in the outbox", error);
      if (bus) {
        await bus.close().catch(() => {});
        bus = undefined;
      }
    }
    if (local) {
      try {
        const result = await deliverDue(db, consumers);
        if (result.failed || result.dead) log.error(`events: ${result.failed} deliveries failed (tried again later), ${result.dead} dead`);
      } catch (error) {
        log.error("events: delivering failed", error);
      }
    }
  };
  let again = false;
  const wake = () => {
    if (stopped) return;
    if (running) {
      again = true; // a change committed while this turn ran: one more turn after it
      return;
    }
    running = tick().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        wake();
      }
    });
  };
  // The turn every intervalMs is the safety net; the trigger's NOTIFY is the usual wake-up.
  const timer = setInterval(wake, options.intervalMs ?? 1000);
  timer.unref();
  let unlisten: (() => Promise<void>) | undefined;
  options.listenSql
    ?.listen("holdfast_outbox", wake)
    .then((listening) => {
      if (stopped) void listening.unlisten().catch(() => {});
      else unlisten = listening.unlisten;
    })
    .catch((error) => log.error("events: could not LISTEN for new events; relaying every interval instead", error));
  return {
    async tick() {
      await running;
      await tick();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await unlisten?.().catch(() => {});
      await running;
      await bus?.close();
    },
  };
}
