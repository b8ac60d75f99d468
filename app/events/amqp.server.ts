import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from "amqplib";
import type { Db } from "~/db/client.server";
import type { HoldfastEvent } from "./catalogue";
import { type Consumer, handleOnce, subscribes, type Transport } from "./relay.server";

/**
 * The names, under a prefix ("holdfast"): every event goes to the topic exchange
 * `holdfast.events`, routed by its name (booking.confirmed…); each consumer reads
 * `holdfast.<consumer>`, and its messages go to `holdfast.<consumer>.dead` (through the
 * `holdfast.dead` exchange) after their last try.
 */
export const amqpNames = (prefix = "holdfast") => ({
  exchange: `${prefix}.events`,
  deadExchange: `${prefix}.dead`,
  queueOf: (consumer: string) => `${prefix}.${consumer}`,
  deadQueueOf: (consumer: string) => `${prefix}.${consumer}.dead`,
});

/** How long the relay waits for the broker's confirms before it gives the batch up (and marks nothing). */
export const CONFIRM_TIMEOUT_MS = 10_000;

export interface AmqpBus {
  transport: Transport;
  /** Starts consuming each consumer's queue; each message handled once per event id. */
  consume(db: Db, consumers: Consumer[], onError: (consumer: string, error: unknown) => void): Promise<void>;
  /** False once the connection or a channel has closed or failed: make a new bus. */
  readonly alive: boolean;
  /** Stops consuming, waits (at most `waitMs`) for the messages in hand, then closes the connection. */
  close(waitMs?: number): Promise<void>;
}

/**
 * RabbitMQ through amqplib (the maintained AMQP 0-9-1 client; publisher confirms on a confirm
 * channel). Topology, declared by every instance (idempotent): a durable topic exchange; per
 * consumer a quorum queue with a single active consumer (one instance reads it at a time, so
 * its events are handled in the order they were published, a message being retried apart), whose
 * `x-delivery-limit` counts tries and then dead-letters to `holdfast.<consumer>.dead`. Messages
 * are persistent; the message id is the event id. Any error on the connection or a channel
 * marks the bus dead (never an uncaught 'error' event): the caller connects again.
 */
export async function connectAmqp(
  url: string,
  options: { maxAttempts: number; retryDelayMs?: number; prefix?: string; onDead?: (error?: unknown) => void },
): Promise<AmqpBus> {
  const { exchange: EXCHANGE, deadExchange: DEAD_EXCHANGE, queueOf, deadQueueOf } = amqpNames(options.prefix);
  const connection: ChannelModel = await amqp.connect(url, { timeout: 5000 });
  let alive = true;
  let closing = false;
  const die = (error?: unknown) => {
    if (!alive) return;
    alive = false;
    if (!closing) options.onDead?.(error);
  };
  connection.on("error", die);
  connection.on("close", die);
  // The broker stops taking messages (memory or disk alarm): publishing would wait, so it is dead to us.
  connection.on("blocked", () => die(new Error("RabbitMQ blocked the connection (a resource alarm)")));
  const watch = <C extends Channel>(channel: C): C => {
    channel.on("error", die);
    channel.on("close", die);
    return channel;
  };
  let publisher: ConfirmChannel;
  try {
    publisher = watch(await connection.createConfirmChannel());
    await publisher.assertExchange(EXCHANGE, "topic", { durable: true });
    await publisher.assertExchange(DEAD_EXCHANGE, "direct", { durable: true });
  } catch (error) {
    closing = true;
    await connection.close().catch(() => {});
    throw error;
  }
  const consuming: Array<{ channel: Channel; tag: string; chain: () => Promise<void> }> = [];

  const transport: Transport = {
    async publish(_tx, batch) {
      if (!alive) throw new Error("the RabbitMQ connection is gone");
      for (const { event } of batch) {
        publisher.publish(EXCHANGE, event.name, Buffer.from(JSON.stringify(event)), {
          persistent: true,
          messageId: event.id,
          contentType: "application/json",
          timestamp: Math.floor(Date.parse(event.at) / 1000),
          type: event.name,
        });
      }
      // Resolves when the broker has taken every one; a nack, a lost connection or the timeout throws
      // (the relay's transaction then rolls back and marks nothing).
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          publisher.waitForConfirms(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`RabbitMQ did not confirm within ${CONFIRM_TIMEOUT_MS} ms`)), CONFIRM_TIMEOUT_MS);
          }),
        ]);
      } catch (error) {
        die(error); // a channel whose confirms are lost is no use: start again
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
  };

  return {
    transport,
    get alive() {
      return alive;
    },
    async consume(db, consumers, onError) {
      for (const consumer of consumers) {
        const channel = watch(await connection.createChannel());
        await channel.prefetch(10);
        await channel.assertQueue(deadQueueOf(consumer.name), { durable: true });
        await channel.bindQueue(deadQueueOf(consumer.name), DEAD_EXCHANGE, consumer.name);
        await channel.assertQueue(queueOf(consumer.name), {
          durable: true,
          arguments: {
            "x-queue-type": "quorum",
            "x-single-active-consumer": true,
            // Redelivered this many times, then dead-lettered.
            "x-delivery-limit": options.maxAttempts - 1,
            "x-dead-letter-exchange": DEAD_EXCHANGE,
            "x-dead-letter-routing-key": consumer.name,
          },
        });
        // Subscribed to its event types only (routing key = event name): the broker drops what no consumer handles.
        // A queue bound to every event by an earlier version loses that binding.
        await channel.unbindQueue(queueOf(consumer.name), EXCHANGE, "#");
        for (const name of consumer.events) await channel.bindQueue(queueOf(consumer.name), EXCHANGE, name);
        // One message at a time, in the order they came.
        let chain = Promise.resolve();
        const settle = (message: ConsumeMessage, how: "ack" | "retry" | "dead") => {
          if (!alive) return; // the channel is gone: the broker gives the message to the next consumer
          try {
            if (how === "ack") channel.ack(message);
            else channel.nack(message, false, how === "retry");
          } catch (error) {
            die(error);
          }
        };
        const { consumerTag } = await channel.consume(queueOf(consumer.name), (message: ConsumeMessage | null) => {
          if (!message) return;
          chain = chain
            .then(async () => {
              let event: HoldfastEvent;
              try {
                event = JSON.parse(message.content.toString("utf8")) as HoldfastEvent;
              } catch (error) {
                onError(consumer.name, error);
                settle(message, "dead"); // unreadable: straight to the dead letters
                return;
              }
              try {
                if (subscribes(consumer, event)) await handleOnce(db, consumer, event);
                settle(message, "ack");
              } catch (error) {
                onError(consumer.name, error);
                // A pause before it goes back (the queue counts the tries: 5 s, 10 s, 20 s… up to a minute),
                // holding the messages behind it, in order.
                const tries = Number(message.properties.headers?.["x-delivery-count"] ?? 0);
                const delay = options.retryDelayMs ?? Math.min(60_000, 5000 * 2 ** tries);
                await new Promise((resolve) => setTimeout(resolve, delay).unref());
                settle(message, "retry");
              }
            })
            .catch((error) => onError(consumer.name, error));
        });
        consuming.push({ channel, tag: consumerTag, chain: () => chain });
      }
    },
    async close(waitMs = 5000) {
      closing = true;
      for (const { channel, tag } of consuming) if (alive) await channel.cancel(tag).catch(() => {});
      // What is in hand finishes (an e-mail half sent is sent, and acked), within waitMs.
      await Promise.race([Promise.all(consuming.map((c) => c.chain())), new Promise((resolve) => setTimeout(resolve, waitMs).unref())]);
      alive = false;
      await connection.close().catch(() => {});
    },
  };
}
