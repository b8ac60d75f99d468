import { createHmac } from "node:crypto";
import { and, asc, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import type { Db } from "~/db/client.server";
import { webhookDeliveries, webhooks } from "~/db/schema";
import type { HoldfastEvent } from "./catalogue";
import { type Consumer, DEFAULT_DELIVERY_POLICY, type DeliveryPolicy } from "./relay.server";

/** How long a receiver has to answer before the try counts as failed. */
export const WEBHOOK_TIMEOUT_MS = 5000;

/**
 * The signature a receiver checks: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under
 * the hook's secret>` in `X-Holdfast-Signature` (the time is signed too, so a receiver can refuse
 * an old delivery played again).
 */
export function signWebhook(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`;
}

/**
 * The `webhooks` consumer: each event of a show with hooks becomes a delivery per hook, written in
 * handleOnce's transaction (so once per event). The sender below does the sending.
 */
export const webhookConsumer: Consumer = {
  name: "webhooks",
  wants: (event) => event.showId !== null,
  async handle(tx, event: HoldfastEvent) {
    const body = JSON.stringify({
      id: event.id,
      name: event.name,
      at: event.at,
      version: event.version,
      showId: event.showId,
      payload: event.payload,
    });
    await tx.execute(sql`
      insert into ${webhookDeliveries} (webhook_id, event_id, event_name, body, next_at, created_at)
      select id, ${event.id}::uuid, ${event.name}, ${body}, now(), now() from ${webhooks} where show_id = ${event.showId}::uuid
      on conflict do nothing`);
  },
};

/**
 * Sends the deliveries whose time has come: claims them (skipping those another instance has
 * claimed), POSTs each with its signature, and records the answer: a 2xx is delivered; anything
 * else (a status, a timeout, a refused connection) is tried again with the delivery policy's
 * backoff, and dead after its last try. Redirects are not followed (a 3xx is a failure).
 */
export async function sendDueWebhooks(
  db: Db,
  now: Date = new Date(),
  policy: DeliveryPolicy = DEFAULT_DELIVERY_POLICY,
  send: typeof fetch = fetch,
  limit = 20,
): Promise<{ delivered: number; failed: number; dead: number }> {
  const claimed = await db.transaction(async (tx) => {
    const due = await tx
      .select({ delivery: webhookDeliveries, url: webhooks.url, secret: webhooks.secret })
      .from(webhookDeliveries)
      .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
      .where(and(isNull(webhookDeliveries.deliveredAt), isNull(webhookDeliveries.deadAt), lte(webhookDeliveries.nextAt, now)))
      .orderBy(asc(webhookDeliveries.id))
      .limit(limit)
      .for("update", { of: webhookDeliveries, skipLocked: true });
    if (due.length > 0)
      await tx
        .update(webhookDeliveries)
        .set({ nextAt: new Date(now.getTime() + policy.leaseMs) })
        .where(
          inArray(
            webhookDeliveries.id,
            due.map((d) => d.delivery.id),
          ),
        );
    return due;
  });
  const result = { delivered: 0, failed: 0, dead: 0 };
  await Promise.all(
    claimed.map(async ({ delivery, url, secret }) => {
      let status: number | null = null;
      let error: string | null = null;
      try {
        const response = await send(url, {
          method: "POST",
          redirect: "manual",
          signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
          headers: {
            "Content-Type": "application/json",
            "User-Agent": "Holdfast-Webhooks/1",
            "X-Holdfast-Event": delivery.eventName,
            "X-Holdfast-Delivery": String(delivery.id),
            "X-Holdfast-Signature": signWebhook(secret, delivery.body, new Date()),
          },
          body: delivery.body,
        });
        status = response.status;
        await response.body?.cancel().catch(() => {});
        if (status < 200 || status > 299) error = `answered ${status}`;
      } catch (caught) {
        error =
          caught instanceof Error
            ? caught.name === "TimeoutError"
              ? `no answer within ${WEBHOOK_TIMEOUT_MS} ms`
              : caught.message
            : String(caught);
      }
      const attempts = delivery.attempts + 1;
      if (!error) {
        await db
          .update(webhookDeliveries)
          .set({ attempts, deliveredAt: new Date(), lastStatus: status, lastError: null })
          .where(eq(webhookDeliveries.id, delivery.id));
        result.delivered++;
        return;
      }
      const dead = attempts >= policy.maxAttempts;
      await db
        .update(webhookDeliveries)
        .set({
          attempts,
          lastStatus: status,
          lastError: error.slice(0, 300),
          nextAt: new Date(now.getTime() + policy.backoffMs(attempts)),
          deadAt: dead ? new Date() : null,
        })
        .where(eq(webhookDeliveries.id, delivery.id));
      if (dead) result.dead++;
      else result.failed++;
    }),
  );
  return result;
}
