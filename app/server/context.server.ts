import type { Authenticator } from "remix-auth";
import type { AppSessionStorage } from "~/auth/cookie.server";
import type { SessionChecks } from "~/auth/ended-sessions.server";
import type { AuthRateLimiter } from "~/auth/rate-limit.server";
import type { TokenService } from "~/auth/tokens.server";
import type { ShowCache } from "~/cache/show-cache.server";
import type { ServerOnly } from "~/components/server-only";
import type { Config } from "~/config.server";
import type { Database, Db } from "~/db/client.server";
import type { PublicUser } from "~/domain/accounts.server";
import type { BookingSettings } from "~/domain/settings";
import type { Logger } from "~/logger.server";
import type { RecentSeatCodes } from "~/seat-map/recent-codes.server";

/**
 * What every loader and action receives as `context`: the process's single pool, config and
 * session storage (made once by the server entry), plus the client's address for this request.
 */
export interface AppServices {
  config: Config;
  log: Logger;
  db: Db;
  /** A pure listing (the show list) from a read replica when DATABASE_REPLICA_URLS names any; else from `db`. */
  listing: Database["listing"];
  /** The show list's cache (Redis when REDIS_URL is set; otherwise it caches nothing). */
  showCache: ShowCache;
  /** A show list: from the cache (filled from the primary) when there is one, else through `listing`. `key` names the query. */
  showList<T>(key: string, read: (db: Db) => Promise<T>): Promise<T>;
  sessions: AppSessionStorage;
  authenticator: Authenticator<PublicUser>;
  authLimiter: AuthRateLimiter;
  /** The API's bearer tokens (JWT_SECRET, or a key derived from the session secret). */
  tokens: TokenService;
  /** Whether a server-side session is live, remembered for a few seconds on the hot paths. */
  sessionChecks: SessionChecks;
  /** Each show's seat codes as this instance last knew them, for the no-JavaScript conflict page (fed by the seat events). */
  recentSeatCodes: RecentSeatCodes;
  /** Hold rules from config (MAX_SEATS_PER_HOLD, HOLD_TTL_SECONDS, HOLD_STRATEGY). */
  booking: BookingSettings;
  /** Statements sent to PostgreSQL so far (for /metrics). */
  dbStats: { statements: number };
  /** Answers whether the database is reachable, for /readyz. */
  pingDatabase(): Promise<void>;
}

export interface RequestContext extends AppServices {
  clientAddress: string;
  /** This request's id: in its X-Request-Id header, on each of its log lines, and on its error page. */
  requestId: string;
  /** This request's Content-Security-Policy nonce (base64, 128 random bits). */
  nonce: string;
  /**
   * Per-request values a loader hands to the server render without sending them to the browser
   * in the hydration data (the seat map's pre-rendered markup). Read through `useServerOnly`.
   */
  serverOnly: ServerOnly;
  /** For a change about to be sent: false if this request was answered already or its client left (app/http/request-fate.ts). */
  claim: () => boolean;
}

declare module "@remix-run/node" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AppLoadContext extends RequestContext {}
}
