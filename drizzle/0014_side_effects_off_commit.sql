-- Issue 19: side effects leave the commit path. A NOTIFY makes its transaction take PostgreSQL's
-- one cluster-wide notify lock at commit and keep it through the commit's WAL flush, so every
-- notifying commit waited for the one before it (3.8–41 of the pool's connections seen waiting on
-- it under a flash sale). The seats trigger now writes its news to an UNLOGGED table (no WAL, no
-- lock), which the announcer (app/events/seat-news.server.ts) NOTIFYs in batches; the outbox
-- trigger no longer NOTIFYs at all (the relays are woken in process and poll). Decision record 0014.
CREATE UNLOGGED TABLE "seat_news" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "seat_news_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"show_id" uuid NOT NULL,
	"payload" text NOT NULL
);
--> statement-breakpoint
-- Claims read their open rows in the order they take them, and stop at their batch.
DROP INDEX "event_deliveries_due_idx";--> statement-breakpoint
DROP INDEX "webhook_deliveries_due_idx";--> statement-breakpoint
CREATE INDEX "event_deliveries_open_idx" ON "event_deliveries" USING btree ("consumer","outbox_id") WHERE "event_deliveries"."done_at" is null and "event_deliveries"."dead_at" is null;--> statement-breakpoint
CREATE INDEX "webhook_deliveries_open_idx" ON "webhook_deliveries" USING btree ("id") WHERE "webhook_deliveries"."delivered_at" is null and "webhook_deliveries"."dead_at" is null;--> statement-breakpoint
-- The same news as drizzle/0009_seat_notify.sql sent, now written down for the announcer.
CREATE OR REPLACE FUNCTION holdfast_notify_seats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO seat_news (show_id, payload)
  SELECT c.show_id,
         CASE WHEN octet_length(c.payload) > 7900 THEN '{"s":"' || c.show_id || '","all":true}' ELSE c.payload END
  FROM (
    -- Written out by hand, so the show's id is always the first field at a fixed place.
    SELECT n.show_id,
           '{"s":"' || n.show_id || '","c":' || jsonb_object_agg(n.id::text,
             -- A free seat whose time has come is past (P), as seat-state.ts codes it.
             CASE WHEN n.status = 'AVAILABLE' THEN CASE WHEN n.starts_at <= now() THEN 'P' ELSE 'A' END
                  WHEN n.status = 'PENDING' THEN 'H' WHEN n.status = 'BOOKED' THEN 'B' ELSE 'X' END)::text || '}' AS payload
    FROM holdfast_new_seats n JOIN holdfast_old_seats o ON o.id = n.id
    WHERE n.status IS DISTINCT FROM o.status OR n.booking_id IS DISTINCT FROM o.booking_id
    GROUP BY n.show_id
  ) c;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- drizzle/0012_outbox_trigger.sql's writer without its NOTIFY: the relays no longer LISTEN.
CREATE OR REPLACE FUNCTION holdfast_outbox_from_audit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO outbox (name, at, show_id, payload)
  SELECT e.name, n.at, n.show_id,
    CASE WHEN e.name LIKE 'booking.%' THEN
      jsonb_build_object(
        'bookingId', n.booking_id,
        'reference', n.booking_reference,
        'userId', b.user_id,
        'showId', n.show_id,
        'seatIds', coalesce(to_jsonb(n.seat_ids), '[]'::jsonb),
        'seatLabels', coalesce(to_jsonb(n.seat_labels), '[]'::jsonb),
        'amountCents', b.amount_cents,
        'currency', b.currency,
        'by', CASE WHEN n.actor_id IS NULL THEN 'system' WHEN n.actor_id = b.user_id THEN 'buyer' ELSE 'admin' END)
    ELSE
      jsonb_build_object('showId', n.show_id, 'change', n.action)
        || CASE WHEN n.seat_labels IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('seatLabels', to_jsonb(n.seat_labels)) END
    END
  FROM new_audit n
  JOIN (VALUES
    ('hold', 'booking.held'),
    ('pay', 'booking.confirmed'),
    ('release', 'booking.released'),
    ('admin_release', 'booking.released'),
    ('expire', 'booking.expired'),
    ('cancel', 'booking.cancelled'),
    ('create_show', 'show.created'),
    ('edit', 'show.changed'),
    ('block', 'show.changed'),
    ('unblock', 'show.changed'),
    ('reset', 'show.changed'),
    ('cancel_show', 'show.cancelled'),
    ('delete_show', 'show.deleted')
  ) AS e(action, name) ON e.action = n.action
  LEFT JOIN bookings b ON b.id = n.booking_id
  ORDER BY n.id;
  RETURN NULL;
END
$$;
