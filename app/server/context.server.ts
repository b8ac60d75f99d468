import type { Authenticator } from "remix-auth";
import type { AuthRateLimiter } from "~/auth/rate-limit.server";
import type { AppSessionStorage } from "~/auth/session.server";
import type { Config } from "~/config.server";
import type { Db } from "~/db/client.server";
import type { PublicUser } from "~/domain/users.server";

/**
 * What every loader and action receives as `context`: the process's single pool, config and
 * session storage (made once by the server entry), plus the client's address for this request.
 */
export interface AppServices {
  config: Config;
  db: Db;
  sessions: AppSessionStorage;
  authenticator: Authenticator<PublicUser>;
  authLimiter: AuthRateLimiter;
  /** Answers whether the database is reachable, for /readyz. */
  pingDatabase(): Promise<void>;
}

export interface RequestContext extends AppServices {
  clientAddress: string;
}

declare module "@remix-run/node" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AppLoadContext extends RequestContext {}
}
