-- Issue 19: the per-buyer limit read every held booking of the show on every hold: on a bookings
-- table never analysed the planner took the brake's (show_id, client_address) index for show_id and
-- filtered the buyer out (56 pages for 3,000 holds, growing with the sale). The sum now reads this
-- index in its order (holds.server.ts), 3 pages whatever the show's size.
CREATE INDEX "bookings_user_show_held_idx" ON "bookings" USING btree ("user_id","show_id","expires_at") WHERE "bookings"."status" = 'HELD';