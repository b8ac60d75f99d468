import { createHmac } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { Db } from "~/db/client.server";
import { webhookDeliveries, webhooks } from "~/db/schema";
import { DEFAULT_DELIVERY_POLICY, type DeliveryPolicy } from "~/events/relay.server";

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
 * The sender's claim, in one statement: the oldest due deliveries (webhook_deliveries_open_idx,
 * in id order, stopping at `limit`), skipping those another instance holds, leased until
 * `leaseUntil`, with their hooks' addresses and secrets.
 */
export const claimWebhooksQuery = (now: Date, leaseUntil: Date, limit: number) => sql`
  with claimed as (
    update ${webhookDeliveries} d set next_at = ${leaseUntil.toISOString()}::timestamptz
    where d.id in (
      select id from ${webhookDeliveries}
      where delivered_at is null and dead_at is null and next_at <= ${now.toISOString()}::timestamptz
      order by id
      limit ${limit}
      for update skip locked
    )
    returning d.id, d.webhook_id, d.event_name, d.body, d.attempts
  )
  select c.id, c.event_name, c.body, c.attempts, w.url, w.secret
  from claimed c join ${webhooks} w on w.id = c.webhook_id
  order by c.id`;

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
  const claimed = (
    await db.execute<{ id: string; event_name: string; body: string; attempts: number; url: string; secret: string }>(
      claimWebhooksQuery(now, new Date(now.getTime() + policy.leaseMs), limit),
    )
  ).map((r) => ({
    delivery: { id: Number(r.id), eventName: r.event_name, body: r.body, attempts: r.attempts },
    url: r.url,
    secret: r.secret,
  }));
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
