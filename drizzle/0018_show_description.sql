ALTER TABLE "shows" ADD COLUMN "description" text;--> statement-breakpoint
ALTER TABLE "shows" ADD CONSTRAINT "shows_description_length" CHECK (char_length("shows"."description") <= 2000);