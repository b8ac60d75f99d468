-- Each seat knows when its own time comes: a clinic slot at 16:00 can still be booked at 10:00.
-- Existing seats: a clinic slot's time on the show's day in the venue's zone; any other seat, the show's start.
ALTER TABLE "seats" ADD COLUMN "starts_at" timestamp with time zone;--> statement-breakpoint
UPDATE "seats" SET "starts_at" = CASE
  WHEN "seats"."slot" IS NOT NULL THEN
    ((("shows"."starts_at" AT TIME ZONE "shows"."time_zone")::date + "seats"."slot"::time) AT TIME ZONE "shows"."time_zone")
  ELSE "shows"."starts_at"
END
FROM "shows" WHERE "shows"."id" = "seats"."show_id";--> statement-breakpoint
ALTER TABLE "seats" ALTER COLUMN "starts_at" SET NOT NULL;
