-- Live seat maps (issue 13): every change of seats' states tells the listening instances, from
-- inside the transaction that made it (a NOTIFY is delivered at COMMIT, and never if the
-- transaction rolls back). One statement-level trigger sees every path at once: a hold, a
-- release, a payment, an expiry (the sweeper), an admin's block, unblock, release or reset.
-- One channel for all shows; the payload names the show and each changed seat's new state:
--   {"s":"<show id>","c":{"<seat id>":"H",…}}  A available, H held, B booked, X not for sale, P past.
-- A change too big for a NOTIFY's 8,000 bytes says {"s":"<show id>","all":true}: reload it all.
-- Whose hold a seat is never travels: every buyer's map learns "held", their own page knows more.
CREATE FUNCTION holdfast_notify_seats() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed record;
BEGIN
  FOR changed IN
    -- Written out by hand, so the show's id is always the first field at a fixed place.
    SELECT n.show_id,
           '{"s":"' || n.show_id || '","c":' || jsonb_object_agg(n.id::text,
             -- A free seat whose time has come is past (P), as seat-state.ts codes it.
             CASE WHEN n.status = 'AVAILABLE' THEN CASE WHEN n.starts_at <= now() THEN 'P' ELSE 'A' END
                  WHEN n.status = 'PENDING' THEN 'H' WHEN n.status = 'BOOKED' THEN 'B' ELSE 'X' END)::text || '}' AS payload
    FROM holdfast_new_seats n JOIN holdfast_old_seats o ON o.id = n.id
    WHERE n.status IS DISTINCT FROM o.status OR n.booking_id IS DISTINCT FROM o.booking_id
    GROUP BY n.show_id
  LOOP
    IF octet_length(changed.payload) > 7900 THEN
      PERFORM pg_notify('holdfast_seats', '{"s":"' || changed.show_id || '","all":true}');
    ELSE
      PERFORM pg_notify('holdfast_seats', changed.payload);
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER seats_notify AFTER UPDATE ON seats
  REFERENCING OLD TABLE AS holdfast_old_seats NEW TABLE AS holdfast_new_seats
  FOR EACH STATEMENT EXECUTE FUNCTION holdfast_notify_seats();
