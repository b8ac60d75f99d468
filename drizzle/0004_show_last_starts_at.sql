-- When a show's last seat's time comes, kept on the show: the seat map page and the show list
-- read it instead of scanning every seat.
ALTER TABLE "shows" ADD COLUMN "last_starts_at" timestamp with time zone;--> statement-breakpoint
UPDATE "shows" SET "last_starts_at" = coalesce((SELECT max("seats"."starts_at") FROM "seats" WHERE "seats"."show_id" = "shows"."id"), "shows"."starts_at");--> statement-breakpoint
ALTER TABLE "shows" ALTER COLUMN "last_starts_at" SET NOT NULL;
