-- The outbox's writer: every audit entry that is a domain event becomes an outbox row, in the
-- same statement's transaction (a statement-level trigger with the inserted rows as a table: one
-- insert for a sweep of a thousand expiries). The catalogue (names, payloads) is
-- app/events/catalogue.ts; payloads carry ids, labels and amounts, never card data or e-mails.
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
  -- Wakes the relays (delivered at commit, and never for a change rolled back).
  IF FOUND THEN
    PERFORM pg_notify('holdfast_outbox', '');
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_outbox
  AFTER INSERT ON audit_log
  REFERENCING NEW TABLE AS new_audit
  FOR EACH STATEMENT EXECUTE FUNCTION holdfast_outbox_from_audit();
