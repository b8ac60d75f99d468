import type { Config } from "~/config.server";

export interface Logger {
  error(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

const ORDER = { silent: 0, error: 1, info: 2, debug: 3 } as const;

/** Plain timestamped lines on stdout/stderr; secrets are never passed to it. */
export function createLogger(level: Config["logLevel"]): Logger {
  const at = ORDER[level];
  const stamp = () => new Date().toISOString();
  return {
    error: (m) => at >= 1 && console.error(`${stamp()} error ${m}`),
    info: (m) => at >= 2 && console.log(`${stamp()} info  ${m}`),
    debug: (m) => at >= 3 && console.log(`${stamp()} debug ${m}`),
  } as Logger;
}
