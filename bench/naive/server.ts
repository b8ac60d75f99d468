/**
 * The naive reference: the seed's hold written plainly, as a first version would be. Express,
 * node-postgres with a pool of 10, a JWT checked on every request, and one transaction that locks
 * the seats it wants (in whatever order the scan meets them), checks them and takes them.
 * Not tuned on purpose: it is what Holdfast's paths are measured against.
 *
 *   DATABASE_URL=postgres://… JWT_SECRET=… PORT=0 node --import tsx bench/naive/server.ts
 */
import { randomUUID } from "node:crypto";
import express from "express";
import { jwtVerify } from "jose";
import pg from "pg";

const HOLD_MINUTES = 15;
// Idle connections stay open, as Holdfast's do: the bench compares holds, not log-ins to PostgreSQL.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10, idleTimeoutMillis: 0 });
const secret = new TextEncoder().encode(process.env.JWT_SECRET);

const app = express();
app.use(express.json());

app.get("/healthz", (_req, res) => {
  res.json({ ok: true });
});

app.post("/holds", async (req, res) => {
  let userId: string;
  try {
    const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    const { payload } = await jwtVerify(token, secret, { algorithms: ["HS256"] });
    userId = String(payload.sub);
  } catch {
    res.status(401).json({ error: { code: "unauthorized" } });
    return;
  }
  const { showId, seatIds } = req.body ?? {};
  if (typeof showId !== "string" || !Array.isArray(seatIds) || seatIds.length === 0) {
    res.status(400).json({ error: { code: "bad_request" } });
    return;
  }

  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const { rows } = await client.query(
      "SELECT id, status, holder_id, booking_id, expires_at FROM naive.seats WHERE show_id = $1 AND id = ANY($2) FOR UPDATE",
      [showId, seatIds],
    );
    const now = new Date();
    const free = (seat: { status: string; expires_at: Date | null }) =>
      seat.status === "AVAILABLE" || (seat.status === "PENDING" && seat.expires_at !== null && seat.expires_at < now);
    if (rows.length !== seatIds.length || !rows.every(free)) {
      await client.query("ROLLBACK");
      res.status(409).json({ error: { code: "seats_unavailable" } });
      return;
    }
    const bookingId = randomUUID();
    const expiresAt = new Date(now.getTime() + HOLD_MINUTES * 60_000);
    await client.query("UPDATE naive.seats SET status = 'PENDING', holder_id = $1, booking_id = $2, expires_at = $3 WHERE id = ANY($4)", [
      userId,
      bookingId,
      expiresAt,
      seatIds,
    ]);
    await client.query("INSERT INTO naive.bookings (id, user_id, show_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)", [
      bookingId,
      userId,
      showId,
      now,
      expiresAt,
    ]);
    await client.query("COMMIT");
    res.status(201).json({ booking: { id: bookingId } });
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    if ((error as { code?: string }).code === "40P01") {
      // Two holds locked overlapping seats in opposite orders: PostgreSQL ended one of them.
      res.status(409).json({ error: { code: "deadlock_detected" } });
    } else {
      console.error(error);
      res.status(500).json({ error: { code: "internal" } });
    }
  } finally {
    client.release();
  }
});

const host = process.env.HOST ?? "127.0.0.1";
const server = app.listen(Number(process.env.PORT ?? 3000), host, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : process.env.PORT;
  console.log(`naive reference listening on http://${host}:${port}`);
});
