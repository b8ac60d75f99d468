/**
 * Live seat maps across instances. PostgreSQL tells every instance of every change of seats'
 * states (the seats_notify trigger, drizzle/0009_seat_notify.sql, NOTIFYs from inside the
 * changing transaction); each instance LISTENs once, on a connection of its own, and passes each
 * show's changes to the maps open on it, as Server-Sent Events (GET /shows/:showId/events).
 *
 * A map that loses its stream (a restart, a proxy's timeout) reconnects by itself (EventSource),
 * and the page's slower poll stays as the fallback; without JavaScript a reload shows the truth.
 */
import type { Request, Response } from "express";
import type postgres from "postgres";
import type { Logger } from "~/logger.server";

export const SEAT_CHANNEL = "holdfast_seats";
/** A comment line this often keeps proxies and browsers from timing an idle stream out. */
const HEARTBEAT_MS = 15_000;
/** Open streams per instance; past it a map is told to poll (503), never to pile up sockets. */
export const MAX_STREAMS = 5_000;

export interface SeatEvents {
  /** Answers GET /shows/:showId/events (the show id already checked). */
  stream(req: Request, res: Response, showId: string): void;
  /** Open streams, for /metrics. */
  readonly open: number;
  /** Whether the LISTEN connection is up. */
  readonly listening: boolean;
  /** Ends every stream (so the HTTP server can close) and stops listening. */
  stop(): Promise<void>;
}

export function startSeatEvents(sql: postgres.Sql, log: Logger): SeatEvents {
  const maps = new Map<string, Set<Response>>();
  let open = 0;
  let listening = false;
  let stopped = false;
  let unlisten: (() => Promise<void>) | undefined;

  const deliver = (payload: string) => {
    // The show's id is the payload's first field: {"s":"<uuid>",…}; no need to parse the rest.
    const showId = payload.slice(6, 42);
    const streams = maps.get(showId);
    if (!streams) return;
    const event = `data: ${payload}\n\n`;
    for (const res of streams) res.write(event);
  };

  sql
    .listen(SEAT_CHANNEL, deliver, () => {
      // Called on the first LISTEN and again after every reconnection: changes made while the
      // connection was down were missed, so every open map is told to fetch the whole truth.
      if (listening) for (const [showId, streams] of maps) for (const res of streams) res.write(`data: {"s":"${showId}","all":true}\n\n`);
      listening = true;
      log.debug("seat events: listening");
    })
    .then(
      (meta) => {
        unlisten = meta.unlisten;
        if (stopped) void meta.unlisten().catch(() => {});
      },
      (error: unknown) => log.error("seat events: LISTEN failed; open maps fall back to polling", error),
    );

  const heartbeat = setInterval(() => {
    for (const streams of maps.values()) for (const res of streams) res.write(": keep-alive\n\n");
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const end = (res: Response) => {
    if (!res.writableEnded) res.end();
  };

  return {
    stream(req, res, showId) {
      if (stopped || open >= MAX_STREAMS) {
        res
          .status(503)
          .set("Retry-After", "5")
          .json({ error: { code: "unavailable", message: "Live updates are busy: the map polls instead" } });
        return;
      }
      res.status(200).set({
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-store, no-transform",
        Connection: "keep-alive",
        // nginx passes the stream through as it comes (see docs/cluster.md).
        "X-Accel-Buffering": "no",
      });
      res.flushHeaders();
      // The browser waits this long before reconnecting after a drop.
      res.write(`retry: 2000\n: ${listening ? "live" : "connecting"}\n\n`);
      const streams = maps.get(showId) ?? new Set<Response>();
      maps.set(showId, streams);
      streams.add(res);
      open++;
      req.on("close", () => {
        open--;
        streams.delete(res);
        if (streams.size === 0 && maps.get(showId) === streams) maps.delete(showId);
      });
    },
    get open() {
      return open;
    },
    get listening() {
      return listening;
    },
    async stop() {
      stopped = true;
      clearInterval(heartbeat);
      for (const streams of maps.values()) for (const res of streams) end(res);
      maps.clear();
      await unlisten?.().catch(() => {});
    },
  };
}
