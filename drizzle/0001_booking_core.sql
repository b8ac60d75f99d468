CREATE TYPE "public"."booking_status" AS ENUM('HELD', 'CONFIRMED', 'RELEASED', 'EXPIRED', 'CANCELLED');--> statement-breakpoint
CREATE TYPE "public"."payment_status" AS ENUM('SUCCEEDED', 'DECLINED', 'REFUNDED');--> statement-breakpoint
CREATE TYPE "public"."seat_status" AS ENUM('AVAILABLE', 'PENDING', 'BOOKED');--> statement-breakpoint
CREATE TYPE "public"."show_kind" AS ENUM('SHOW', 'BUS', 'DOCTOR');--> statement-breakpoint
CREATE TABLE "booking_seats" (
	"booking_id" uuid NOT NULL,
	"seat_id" bigint NOT NULL,
	CONSTRAINT "booking_seats_booking_id_seat_id_pk" PRIMARY KEY("booking_id","seat_id")
);
--> statement-breakpoint
CREATE TABLE "bookings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reference" text NOT NULL,
	"user_id" uuid NOT NULL,
	"show_id" uuid NOT NULL,
	"status" "booking_status" DEFAULT 'HELD' NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"seat_count" integer NOT NULL,
	"amount_cents" integer NOT NULL,
	"currency" text NOT NULL,
	"idempotency_key" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"confirmed_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	CONSTRAINT "bookings_reference_unique" UNIQUE("reference"),
	CONSTRAINT "bookings_id_show_user_key" UNIQUE("id","show_id","user_id"),
	CONSTRAINT "bookings_seat_count_positive" CHECK ("bookings"."seat_count" > 0),
	CONSTRAINT "bookings_amount_nonnegative" CHECK ("bookings"."amount_cents" >= 0),
	CONSTRAINT "bookings_confirmed_has_time" CHECK (("bookings"."status" in ('CONFIRMED', 'CANCELLED')) = ("bookings"."confirmed_at" is not null)),
	CONSTRAINT "bookings_cancelled_has_time" CHECK (("bookings"."status" = 'CANCELLED') = ("bookings"."cancelled_at" is not null))
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"booking_id" uuid NOT NULL,
	"idempotency_key" text NOT NULL,
	"status" "payment_status" NOT NULL,
	"amount_cents" integer NOT NULL,
	"currency" text NOT NULL,
	"card_last4" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"refunded_at" timestamp with time zone,
	CONSTRAINT "payments_booking_key" UNIQUE("booking_id","idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "seats" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "seats_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"show_id" uuid NOT NULL,
	"label" text NOT NULL,
	"row" integer NOT NULL,
	"col" integer NOT NULL,
	"deck" text,
	"slot" text,
	"status" "seat_status" DEFAULT 'AVAILABLE' NOT NULL,
	"holder_id" uuid,
	"booking_id" uuid,
	"expires_at" timestamp with time zone,
	"version" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "seats_show_label_key" UNIQUE("show_id","label"),
	CONSTRAINT "seats_state_consistent" CHECK (case "seats"."status"
        when 'AVAILABLE' then "seats"."holder_id" is null and "seats"."booking_id" is null and "seats"."expires_at" is null
        when 'PENDING' then "seats"."holder_id" is not null and "seats"."booking_id" is not null and "seats"."expires_at" is not null
        when 'BOOKED' then "seats"."holder_id" is not null and "seats"."booking_id" is not null and "seats"."expires_at" is null
      end),
	CONSTRAINT "seats_version_nonnegative" CHECK ("seats"."version" >= 0)
);
--> statement-breakpoint
CREATE TABLE "shows" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"kind" "show_kind" NOT NULL,
	"venue" text NOT NULL,
	"city" text NOT NULL,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"price_cents" integer NOT NULL,
	"currency" text NOT NULL,
	"total_seats" integer NOT NULL,
	"layout" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "shows_price_nonnegative" CHECK ("shows"."price_cents" >= 0),
	CONSTRAINT "shows_currency_iso" CHECK ("shows"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "shows_total_seats_positive" CHECK ("shows"."total_seats" > 0),
	CONSTRAINT "shows_name_length" CHECK (char_length("shows"."name") between 1 and 200)
);
--> statement-breakpoint
ALTER TABLE "booking_seats" ADD CONSTRAINT "booking_seats_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "booking_seats" ADD CONSTRAINT "booking_seats_seat_id_seats_id_fk" FOREIGN KEY ("seat_id") REFERENCES "public"."seats"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_show_id_shows_id_fk" FOREIGN KEY ("show_id") REFERENCES "public"."shows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_booking_id_bookings_id_fk" FOREIGN KEY ("booking_id") REFERENCES "public"."bookings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seats" ADD CONSTRAINT "seats_show_id_shows_id_fk" FOREIGN KEY ("show_id") REFERENCES "public"."shows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seats" ADD CONSTRAINT "seats_holder_id_users_id_fk" FOREIGN KEY ("holder_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seats" ADD CONSTRAINT "seats_booking_same_show_and_holder" FOREIGN KEY ("booking_id","show_id","holder_id") REFERENCES "public"."bookings"("id","show_id","user_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "booking_seats_seat_idx" ON "booking_seats" USING btree ("seat_id");--> statement-breakpoint
CREATE INDEX "bookings_user_idx" ON "bookings" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "bookings_show_idx" ON "bookings" USING btree ("show_id");--> statement-breakpoint
CREATE INDEX "bookings_held_expiry_idx" ON "bookings" USING btree ("expires_at") WHERE "bookings"."status" = 'HELD';--> statement-breakpoint
CREATE UNIQUE INDEX "payments_one_charge_per_booking" ON "payments" USING btree ("booking_id") WHERE "payments"."status" in ('SUCCEEDED', 'REFUNDED');--> statement-breakpoint
CREATE INDEX "seats_show_idx" ON "seats" USING btree ("show_id","id");--> statement-breakpoint
CREATE INDEX "seats_pending_expiry_idx" ON "seats" USING btree ("expires_at") WHERE "seats"."status" = 'PENDING';--> statement-breakpoint
CREATE INDEX "seats_booking_idx" ON "seats" USING btree ("booking_id");--> statement-breakpoint
CREATE INDEX "shows_starts_at_idx" ON "shows" USING btree ("starts_at");