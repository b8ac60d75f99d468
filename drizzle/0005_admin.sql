-- Admin: blocked seats, price zones, per-show limits, cancelled shows, the audit log.

-- A BLOCKED seat status. ALTER TYPE … ADD VALUE cannot be used in the transaction that adds it,
-- and migrations run in one transaction, so the type is replaced instead.
ALTER TABLE "seats" DROP CONSTRAINT "seats_state_consistent";--> statement-breakpoint
DROP INDEX "seats_pending_expiry_idx";--> statement-breakpoint
ALTER TYPE "public"."seat_status" RENAME TO "seat_status_before_blocked";--> statement-breakpoint
CREATE TYPE "public"."seat_status" AS ENUM('AVAILABLE', 'PENDING', 'BOOKED', 'BLOCKED');--> statement-breakpoint
ALTER TABLE "seats" ALTER COLUMN "status" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "seats" ALTER COLUMN "status" TYPE "public"."seat_status" USING "status"::text::"public"."seat_status";--> statement-breakpoint
ALTER TABLE "seats" ALTER COLUMN "status" SET DEFAULT 'AVAILABLE';--> statement-breakpoint
DROP TYPE "public"."seat_status_before_blocked";--> statement-breakpoint
CREATE INDEX "seats_pending_expiry_idx" ON "seats" USING btree ("expires_at") WHERE "seats"."status" = 'PENDING';--> statement-breakpoint
ALTER TABLE "seats" ADD CONSTRAINT "seats_state_consistent" CHECK (case "seats"."status"
        when 'AVAILABLE' then "seats"."holder_id" is null and "seats"."booking_id" is null and "seats"."expires_at" is null
        when 'BLOCKED' then "seats"."holder_id" is null and "seats"."booking_id" is null and "seats"."expires_at" is null
        when 'PENDING' then "seats"."holder_id" is not null and "seats"."booking_id" is not null and "seats"."expires_at" is not null
        when 'BOOKED' then "seats"."holder_id" is not null and "seats"."booking_id" is not null and "seats"."expires_at" is null
      end);--> statement-breakpoint

-- Price zones: every existing show gets one, "Standard", at its price.
CREATE TABLE "price_zones" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"show_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL,
	"price_cents" integer NOT NULL,
	CONSTRAINT "price_zones_show_position_key" UNIQUE("show_id","position"),
	CONSTRAINT "price_zones_price_nonnegative" CHECK ("price_zones"."price_cents" >= 0),
	CONSTRAINT "price_zones_name_length" CHECK (char_length("price_zones"."name") between 1 and 40)
);--> statement-breakpoint
ALTER TABLE "price_zones" ADD CONSTRAINT "price_zones_show_id_shows_id_fk" FOREIGN KEY ("show_id") REFERENCES "public"."shows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "price_zones_show_name_key" ON "price_zones" USING btree ("show_id",lower("name"));--> statement-breakpoint
INSERT INTO "price_zones" ("show_id", "position", "name", "price_cents") SELECT "id", 0, 'Standard', "price_cents" FROM "shows";--> statement-breakpoint
ALTER TABLE "seats" ADD COLUMN "section" text;--> statement-breakpoint
ALTER TABLE "seats" ADD COLUMN "zone_id" uuid;--> statement-breakpoint
UPDATE "seats" SET "zone_id" = "price_zones"."id" FROM "price_zones" WHERE "price_zones"."show_id" = "seats"."show_id";--> statement-breakpoint
ALTER TABLE "seats" ALTER COLUMN "zone_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "seats" ADD CONSTRAINT "seats_zone_id_price_zones_id_fk" FOREIGN KEY ("zone_id") REFERENCES "public"."price_zones"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "seats_zone_idx" ON "seats" USING btree ("zone_id");--> statement-breakpoint

ALTER TABLE "shows" ADD COLUMN "max_seats_per_customer" integer;--> statement-breakpoint
ALTER TABLE "shows" ADD COLUMN "cancelled_at" timestamp with time zone;--> statement-breakpoint

CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone NOT NULL,
	"show_id" uuid,
	"actor_id" uuid,
	"actor_name" text,
	"actor_email" text,
	"action" text NOT NULL,
	"seat_ids" bigint[],
	"seat_labels" text[],
	"booking_id" uuid,
	"booking_reference" text,
	"details" jsonb
);--> statement-breakpoint
CREATE INDEX "audit_log_show_at_idx" ON "audit_log" USING btree ("show_id","at");--> statement-breakpoint
CREATE INDEX "audit_log_labels_idx" ON "audit_log" USING gin ("seat_labels");
