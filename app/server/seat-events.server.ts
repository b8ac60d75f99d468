/**
 * Live seat maps across instances. PostgreSQL tells every instance of every change of seats'
 * states (the seats_notify trigger writes each change's news in the changing transaction,
 * drizzle/0014; the announcer NOTIFYs it after the commit, app/events/seat-news.server.ts); each
 * instance LISTENs once, on a connection of its own, and passes each show's changes to the maps
 * open on it, as Server-Sent Events (GET /shows/:showId/events).
 *
 * The stream says whether it is live: `{"live":true}` when the LISTEN connection is up (the map
 * then fetches the whole truth once, for what changed before it was listening, and polls
 * slowly), `{"live":false}` when it is not (the map polls every few seconds). The instance checks
 * its own LISTEN with a NOTIFY to itself every heartbeat: a connection that died quietly is found
 * within two heartbeats and listened to again. A map that loses its stream (a restart, a proxy's
 * timeout) reconnects by itself (EventSource); without JavaScript a reload shows the truth.
 */
import type { Request, Response } from "express";
import type postgres from "postgres";
import { SEAT_CHANNEL } from "~/events/seat-news.server";
import type { Logger } from "~/logger.server";
import type { RecentSeatCodes } from "~/seat-map/recent-codes.server";

/** A comment line this often keeps proxies and browsers from timing an idle stream out. */
const HEARTBEAT_MS = 15_000;
/** Open streams per instance; past it a map is told to poll, never to pile up sockets. */
export const MAX_STREAMS = 5_000;
/** A map that stopped reading is dropped once this much is waiting for it. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

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

export function startSeatEvents(
  sql: postgres.Sql,
  log: Logger,
  options: { heartbeatMs?: number; recent?: Pick<RecentSeatCodes, "hear" | "forget"> } = {},
): SeatEvents {
  const { heartbeatMs = HEARTBEAT_MS, recent } = options;
  const maps = new Map<string, Set<Response>>();
  let open = 0;
  let listening = false;
  let stopped = false;
  let unlisten: (() => Promise<void>) | undefined;
  // This instance's own ping: heard back means the LISTEN connection works.
  const ping = `{"ping":"${Math.random().toString(36).slice(2)}"}`;
  let lastHeard = Date.now();

  const send = (res: Response, text: string) => {
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      res.destroy();
      return;
    }
    res.write(text);
  };
  const broadcast = (text: string) => {
    for (const streams of maps.values()) for (const res of streams) send(res, text);
  };

  const deliver = (payload: string) => {
    if (payload === ping) {
      lastHeard = Date.now();
      return;
    }
    // Every change of every show: the conflict page's memory of seat states (seat-map/recent-codes.server.ts).
    recent?.hear(payload);
    // The show's id is the payload's first field, at a fixed place: {"s":"<uuid>",…}.
    const streams = maps.get(payload.slice(6, 42));
    if (!streams) return;
    const event = `data: ${payload}\n\n`;
    for (const res of streams) send(res, event);
  };

  const setLive = (live: boolean) => {
    // Changes may be missed while not listening: what was remembered of seat states is forgotten.
    if (!live) recent?.forget();
    if (live === listening) return;
    listening = live;
    broadcast(`data: {"live":${live}}\n\n`);
  };

  const listen = () => {
    sql
      .listen(SEAT_CHANNEL, deliver, () => {
        // Also called after postgres.js reconnects by itself: changes in between were missed,
        // and {"live":true} makes every open map fetch the whole truth.
        lastHeard = Date.now();
        setLive(false);
        setLive(true);
        log.debug("seat events: listening");
      })
      .then(
        (meta) => {
          unlisten = meta.unlisten;
          if (stopped) void meta.unlisten().catch(() => {});
        },
        (error: unknown) => log.error("seat events: LISTEN failed; open maps poll until it works again", error),
      );
  };
  listen();

  const heartbeat = setInterval(() => {
    broadcast(": keep-alive\n\n");
    if (stopped) return;
    if (Date.now() - lastHeard > 2 * heartbeatMs + 1_000) {
      // Our own pings went unheard: the LISTEN connection is gone. Say so, and listen again.
      setLive(false);
      lastHeard = Date.now();
      void unlisten?.().catch(() => {});
      unlisten = undefined;
      listen();
      return;
    }
    sql.notify(SEAT_CHANNEL, ping).catch(() => {});
  }, heartbeatMs);
  heartbeat.unref();

  return {
    stream(req, res, rawShowId) {
      // The client may have gone while the show was looked up: then there is nothing to keep.
      if (req.destroyed || res.destroyed || res.writableEnded) return;
      const showId = rawShowId.toLowerCase();
      res.status(200).set({
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-store, no-transform",
        Connection: "keep-alive",
        // nginx passes the stream through as it comes (docs/several-instances.md).
        "X-Accel-Buffering": "no",
      });
      res.flushHeaders();
      if (stopped || open >= MAX_STREAMS) {
        // Never a non-200 answer (EventSource would give up for good): "not live, try later".
        res.end(`retry: 30000\ndata: {"live":false}\n\n`);
        return;
      }
      // The browser waits this long before reconnecting after a drop.
      res.write(`retry: 2000\ndata: {"live":${listening}}\n\n`);
      const streams = maps.get(showId) ?? new Set<Response>();
      maps.set(showId, streams);
      streams.add(res);
      open++;
      res.once("close", () => {
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
      for (const streams of maps.values()) for (const res of streams) if (!res.writableEnded) res.end();
      maps.clear();
      await unlisten?.().catch(() => {});
    },
  };
}
