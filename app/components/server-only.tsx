import { createContext, useContext } from "react";

/**
 * Values a loader put in `context.serverOnly` for this request's server render. In the browser
 * the map is empty: whatever is read here never travels in the hydration data.
 */
export const ServerOnlyContext = createContext<ReadonlyMap<string, unknown>>(new Map());

export function useServerOnly<T>(key: string): T | undefined {
  return useContext(ServerOnlyContext).get(key) as T | undefined;
}
