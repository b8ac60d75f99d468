-- Issue 21: operators handle one booking (seats cancelled and refunded, moved, the ticket sent
-- again), check tickets in at the door (a DOOR role), and see a booking's trail and e-mails.
CREATE TYPE "public"."booking_change_kind" AS ENUM('CANCEL_SEATS', 'MOVE', 'RESEND_TICKET');--> statement-breakpoint
ALTER TYPE "public"."user_role" ADD VALUE 'DOOR' BEFORE 'ADMIN';--> statement-breakpoint
CREATE TABLE "booking_changes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "booking_changes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"booking_id" uuid NOT NULL,
	"request_key" text NOT NULL,
	"kind" "booking_change_kind" NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_id" uuid,
	"actor_name" text,
	"seat_labels" text[] DEFAULT '{}' NOT NULL,
	"to_seat_labels" text[] DEFAULT '{}' NOT NULL,
	"refund_cents" integer DEFAULT 0 NOT NULL,
	"reason" text,
	CONSTRAINT "booking_changes_request_key" UNIQUE("booking_id","request_key"),
	CONSTRAINT "booking_changes_refund_nonnegative" CHECK ("booking_changes"."refund_cents" >= 0),
	CONSTRAINT "booking_changes_key_length" CHECK (char_length("booking_changes"."request_key") between 8 and 200)
);
--> statement-breakpoint
CREATE TABLE "check_ins" (
	"booking_id" uuid NOT NULL,
	"seat_id" bigint NOT NULL,
	"show_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"door" text NOT NULL,
	"by_id" uuid,
	"by_name" text NOT NULL,
	"scan_key" text,
	CONSTRAINT "check_ins_booking_id_seat_id_pk" PRIMARY KEY("booking_id","seat_id"),
	CONSTRAINT "check_ins_door_length" CHECK (char_length("check_ins"."door") between 1 and 60)
);
--> statement-breakpoint
CREATE TABLE "sent_emails" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sent_emails_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"booking_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"event_name" text NOT NULL,
	"to" text NOT NULL,
	"subject" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "sent_emails_event_id_unique" UNIQUE("event_id")
);
--> statement-breakpoint
-- What each seat cost when held: zone prices could change only while nothing was held or sold, so
-- today's zone price is what every existing booking paid.
ALTER TABLE "booking_seats" ADD COLUMN "price_cents" integer;--> statement-breakpoint
UPDATE "booking_seats" bs SET "price_cents" = z.price_cents FROM seats s JOIN price_zones z ON z.id = s.zone_id WHERE s.id = bs.seat_id;--> statement-breakpoint
ALTER TABLE "booking_seats" ALTER COLUMN "price_cents" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "booking_changes" ADD CONSTRAINT "booking_changes_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_ins" ADD CONSTRAINT "check_ins_show_id_shows_id_fk" FOREIGN KEY ("show_id") REFERENCES "public"."shows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_ins" ADD CONSTRAINT "check_ins_booking_seat" FOREIGN KEY ("booking_id","seat_id") REFERENCES "public"."booking_seats"("booking_id","seat_id") ON DELETE cascade ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "sent_emails" ADD CONSTRAINT "sent_emails_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "booking_changes_booking_idx" ON "booking_changes" USING btree ("booking_id","at");--> statement-breakpoint
CREATE INDEX "check_ins_show_idx" ON "check_ins" USING btree ("show_id");--> statement-breakpoint
CREATE UNIQUE INDEX "check_ins_scan_key" ON "check_ins" USING btree ("booking_id","scan_key") WHERE "check_ins"."scan_key" is not null;--> statement-breakpoint
CREATE INDEX "sent_emails_booking_idx" ON "sent_emails" USING btree ("booking_id","at");--> statement-breakpoint
CREATE INDEX "audit_log_booking_idx" ON "audit_log" USING btree ("booking_id") WHERE "audit_log"."booking_id" is not null;--> statement-breakpoint
ALTER TABLE "booking_seats" ADD CONSTRAINT "booking_seats_price_nonnegative" CHECK ("booking_seats"."price_cents" >= 0);
--> statement-breakpoint
-- The outbox trigger (drizzle/0014) learns the booking actions an operator takes.
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
        || CASE WHEN n.details IS NULL THEN '{}'::jsonb ELSE jsonb_strip_nulls(jsonb_build_object(
             'refundCents', n.details->'refundCents', 'movedFrom', n.details->'from', 'movedTo', n.details->'to', 'changeId', n.details->'changeId'))
           END
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
    ('cancel_seats', 'booking.seats_cancelled'),
    ('move_seats', 'booking.moved'),
    ('resend_ticket', 'booking.ticket_resent'),
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
