import type { AppServices } from "./context.server";
import type { Logger } from "./logger.server";

export interface Jobs {
  stop(): Promise<void>;
}

/** Background jobs owned by the server process. The hold sweeper joins with the booking core. */
export function startJobs(_services: AppServices, _log: Logger): Jobs {
  return { stop: async () => {} };
}
