import { randomBytes } from "node:crypto";
import { and, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "~/db/client.server";
import { webhookDeliveries, webhooks } from "~/db/schema";
import { NotFound, ValidationFailed } from "./errors";
import { type Actor, assertAdmin } from "./show-admin.server";
import { getShow } from "./shows.server";
import { parseOrThrow, requireId } from "./validation";

/**
 * An admin's webhooks, per show: each of the show's events is POSTed to each hook, signed with
 * the hook's secret (app/events/webhook-sender.server.ts). Every function refuses a non-admin.
 */
export const webhookInputSchema = z
  .object({
    url: z
      .string()
      .trim()
      .min(8, "Enter the address to send events to, such as https://example.com/holdfast")
      .max(2000, "At most 2,000 characters")
      .refine((raw) => {
        try {
          const url = new URL(raw);
          return (url.protocol === "https:" || url.protocol === "http:") && !url.username && !url.password;
        } catch {
          return false;
        }
      }, "Enter an http:// or https:// address, without a user name or password in it"),
  })
  .meta({ id: "WebhookInput" });

export interface WebhookView {
  id: string;
  url: string;
  secret: string;
  createdAt: Date;
  deliveries: Array<{
    id: number;
    eventName: string;
    createdAt: Date;
    attempts: number;
    state: "delivered" | "retrying" | "dead" | "waiting";
    lastStatus: number | null;
    lastError: string | null;
  }>;
}

/** Registers a hook for the show and returns it with its new secret. A URL already registered for the show is refused. */
export async function addWebhook(db: Db, actor: Actor, showId: string, input: unknown): Promise<{ id: string; secret: string }> {
  assertAdmin(actor);
  const id = requireId(showId, "show");
  const { url } = parseOrThrow(webhookInputSchema, input);
  await getShow(db, id); // NotFound
  const secret = `whsec_${randomBytes(24).toString("base64url")}`;
  const [row] = await db.insert(webhooks).values({ showId: id, url, secret }).onConflictDoNothing().returning({ id: webhooks.id });
  if (!row) throw new ValidationFailed({ url: "This address is already registered for this show" });
  return { id: row.id, secret };
}

export async function removeWebhook(db: Db, actor: Actor, showId: string, webhookId: unknown): Promise<void> {
  assertAdmin(actor);
  const show = requireId(showId, "show");
  const parsed = z.string().uuid().safeParse(webhookId);
  if (!parsed.success) throw new NotFound("There is no such webhook");
  const gone = await db
    .delete(webhooks)
    .where(and(eq(webhooks.id, parsed.data), eq(webhooks.showId, show)))
    .returning({ id: webhooks.id });
  if (gone.length === 0) throw new NotFound("There is no such webhook");
}

/** The show's hooks, each with its last `perHook` deliveries, newest first. */
export async function listWebhooks(db: Db, actor: Actor, showId: string, perHook = 20): Promise<WebhookView[]> {
  assertAdmin(actor);
  const id = requireId(showId, "show");
  const hooks = await db.select().from(webhooks).where(eq(webhooks.showId, id)).orderBy(webhooks.createdAt);
  if (hooks.length === 0) return [];
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(
      inArray(
        webhookDeliveries.webhookId,
        hooks.map((h) => h.id),
      ),
    )
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(perHook * hooks.length);
  return hooks.map((hook) => ({
    id: hook.id,
    url: hook.url,
    secret: hook.secret,
    createdAt: hook.createdAt,
    deliveries: rows
      .filter((r) => r.webhookId === hook.id)
      .slice(0, perHook)
      .map((r) => ({
        id: r.id,
        eventName: r.eventName,
        createdAt: r.createdAt,
        attempts: r.attempts,
        state: r.deliveredAt ? "delivered" : r.deadAt ? "dead" : r.attempts > 0 ? "retrying" : "waiting",
        lastStatus: r.lastStatus,
        lastError: r.lastError,
      })),
  }));
}
