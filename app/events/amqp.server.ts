import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from "amqplib";
import type { Db } from "~/db/client.server";
import type { HoldfastEvent } from "./catalogue";
import { type Consumer, handleOnce, type Transport } from "./relay.server";

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

export interface AmqpBus {
  transport: Transport;
  /** Starts consuming each consumer's queue (competing with other instances'); each message handled once per event id. */
  consume(db: Db, consumers: Consumer[], onError: (consumer: string, error: unknown) => void): Promise<void>;
  close(): Promise<void>;
}

/**
 * RabbitMQ through amqplib (the maintained AMQP 0-9-1 client; publisher confirms on a confirm
 * channel). Topology, declared by every instance (idempotent): a durable topic exchange; per
 * consumer a quorum queue bound to the events it wants, whose `x-delivery-limit` counts tries and
 * then dead-letters to `holdfast.<consumer>.dead`. Messages are persistent; the message id is the
 * event id.
 */
export async function connectAmqp(url: string, options: { maxAttempts: number; retryDelayMs?: number; prefix?: string }): Promise<AmqpBus> {
  const { exchange: EXCHANGE, deadExchange: DEAD_EXCHANGE, queueOf, deadQueueOf } = amqpNames(options.prefix);
  const connection: ChannelModel = await amqp.connect(url);
  let publisher: ConfirmChannel;
  try {
    publisher = await connection.createConfirmChannel();
    await publisher.assertExchange(EXCHANGE, "topic", { durable: true });
    await publisher.assertExchange(DEAD_EXCHANGE, "direct", { durable: true });
  } catch (error) {
    await connection.close().catch(() => {});
    throw error;
  }
  const consuming: Array<{ channel: Channel; tag: string }> = [];
  let closed = false;

  const transport: Transport = {
    async publish(_tx, batch) {
      for (const { event } of batch) {
        publisher.publish(EXCHANGE, event.name, Buffer.from(JSON.stringify(event)), {
          persistent: true,
          messageId: event.id,
          contentType: "application/json",
          timestamp: Math.floor(Date.parse(event.at) / 1000),
          type: event.name,
        });
      }
      // Resolves when the broker has taken every one; a nack or a lost connection throws.
      await publisher.waitForConfirms();
    },
  };

  return {
    transport,
    async consume(db, consumers, onError) {
      for (const consumer of consumers) {
        const channel = await connection.createChannel();
        await channel.prefetch(10);
        await channel.assertQueue(deadQueueOf(consumer.name), { durable: true });
        await channel.bindQueue(deadQueueOf(consumer.name), DEAD_EXCHANGE, consumer.name);
        await channel.assertQueue(queueOf(consumer.name), {
          durable: true,
          arguments: {
            "x-queue-type": "quorum",
            // Redelivered this many times, then dead-lettered.
            "x-delivery-limit": options.maxAttempts - 1,
            "x-dead-letter-exchange": DEAD_EXCHANGE,
            "x-dead-letter-routing-key": consumer.name,
          },
        });
        await channel.bindQueue(queueOf(consumer.name), EXCHANGE, "#");
        // One message at a time per consumer, in the order they came: a show's events are handled in order.
        let chain = Promise.resolve();
        const { consumerTag } = await channel.consume(queueOf(consumer.name), (message: ConsumeMessage | null) => {
          if (!message) return;
          chain = chain.then(async () => {
            let event: HoldfastEvent;
            try {
              event = JSON.parse(message.content.toString("utf8")) as HoldfastEvent;
            } catch (error) {
              onError(consumer.name, error);
              channel.nack(message, false, false); // unreadable: straight to the dead letters
              return;
            }
            try {
              if (consumer.wants(event)) await handleOnce(db, consumer, event);
              channel.ack(message);
            } catch (error) {
              onError(consumer.name, error);
              // Back to the queue after a pause; the quorum queue counts the tries.
              setTimeout(() => {
                if (!closed) channel.nack(message, false, true);
              }, options.retryDelayMs ?? 1000).unref();
            }
          });
        });
        consuming.push({ channel, tag: consumerTag });
      }
    },
    async close() {
      closed = true;
      for (const { channel, tag } of consuming) await channel.cancel(tag).catch(() => {});
      await connection.close().catch(() => {});
    },
  };
}
