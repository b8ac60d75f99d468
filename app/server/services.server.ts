import { createHmac } from "node:crypto";
import { createAuthenticator } from "~/auth/authenticator.server";
import { createSessions } from "~/auth/cookie.server";
import { SessionChecks } from "~/auth/ended-sessions.server";
import { AuthRateLimiter } from "~/auth/rate-limit.server";
import { createTokenService } from "~/auth/tokens.server";
import { noShowCache, redisShowCache } from "~/cache/show-cache.server";
import type { Config } from "~/config.server";
import type { Database } from "~/db/client.server";
import { DEFAULT_BOOKING_SETTINGS } from "~/domain/settings";
import type { Logger } from "~/logger.server";
import { recentSeatCodes } from "~/seat-map/recent-codes.server";
import type { AppServices } from "./context.server";

/** Everything a request needs from the process, made once at start. */
export function createAppServices(options: { config: Config; log: Logger; database: Database; sessionSecret: string }): AppServices {
  const { config, database } = options;
  const showCache = config.redisUrl
    ? redisShowCache(config.redisUrl, { ttlSeconds: config.cacheTtlSeconds, prefix: config.redisKeyPrefix, log: options.log })
    : noShowCache;
  return {
    config,
    log: options.log,
    db: database.db,
    listing: database.listing,
    showCache,
    // With the cache, lists are filled from the primary: a replica behind could fill a new
    // generation with a list from before the change that started it. Without, from a replica.
    showList: (key, read) => (showCache.enabled ? showCache.get(key, () => read(database.db)) : database.listing(read)),
    sessions: createSessions({ secret: options.sessionSecret, secure: config.isProduction }),
    authenticator: createAuthenticator(database.db),
    authLimiter: new AuthRateLimiter(config.authRateLimitPerMinute, {
      db: database.db,
      keySecret: createHmac("sha256", options.sessionSecret).update("holdfast rate-limit keys").digest("hex"),
    }),
    sessionChecks: new SessionChecks(database.db),
    recentSeatCodes: recentSeatCodes(),
    tokens: createTokenService({ jwtSecret: config.jwtSecret, sessionSecret: options.sessionSecret, ttlSeconds: config.jwtTtlSeconds }),
    booking: {
      maxSeatsPerHold: config.booking.maxSeatsPerHold,
      holdTtlSeconds: config.booking.holdTtlSeconds,
      holdStrategy: config.booking.holdStrategy,
      casAttempts: DEFAULT_BOOKING_SETTINGS.casAttempts,
      holdBatch: config.booking.holdBatch,
      maxHeldSeatsPerAddress: config.booking.maxHeldSeatsPerAddress,
      holdExtensionSeconds: config.booking.holdExtensionSeconds,
    },
    dbStats: database.stats,
    // Bounded: /readyz answers within 2 s whatever the database does.
    pingDatabase: async () => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("the database did not answer within 2 s")), 2000);
      });
      try {
        await Promise.race([database.sql`select 1`, late]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
