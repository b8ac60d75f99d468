-- Issue 21: a sold show can change. A new time tells each paid booking (an audit entry per
-- booking, action 'reschedule'), which the outbox trigger now publishes as booking.rescheduled
-- with the old and new times ('from', 'to').
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
             'refundCents', n.details->'refundCents', 'changeId', n.details->'changeId')
             || CASE WHEN n.action = 'move_seats' THEN jsonb_strip_nulls(jsonb_build_object('movedFrom', n.details->'from', 'movedTo', n.details->'to'))
                     WHEN n.action = 'reschedule' THEN jsonb_strip_nulls(jsonb_build_object('from', n.details->'from', 'to', n.details->'to'))
                     ELSE '{}'::jsonb END)
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
    ('reschedule', 'booking.rescheduled'),
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
