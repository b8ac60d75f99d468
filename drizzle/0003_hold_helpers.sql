-- Aborts the statement (and so its transaction) with a SQLSTATE the app recognises. A hold, a
-- payment or a release is one statement that must change all of its seats or none: when a
-- compare-and-swap finds a seat changed under it, this undoes everything the statement did.
-- HF001: a seat changed while it was being held (the hold tries again, or falls back to FOR UPDATE).
-- HF002: a hold ended while it was being paid for (HoldExpired).
CREATE FUNCTION holdfast_abort(code text, message text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = code, MESSAGE = message;
END
$$;
