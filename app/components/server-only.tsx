import { createContext, useContext } from "react";

/**
 * A key of a request's server-only values: it names the value's type, so a writer and its
 * readers cannot disagree about what travels under it.
 */
export class ServerOnlyKey<T> {
  declare readonly type: T;
  constructor(readonly name: string) {}
}

/**
 * What a loader or an action leaves for this request's server render (and nothing else: it never
 * travels in the hydration data): the pre-rendered seat grid, its bytes to splice in, a failed
 * form's post for the page that answers it. One per request (`context.serverOnly`).
 */
export class ServerOnly {
  readonly #values = new Map<ServerOnlyKey<unknown>, unknown>();
  get<T>(key: ServerOnlyKey<T>): T | undefined {
    return this.#values.get(key) as T | undefined;
  }
  set<T>(key: ServerOnlyKey<T>, value: T): void {
    this.#values.set(key, value);
  }
}

/** The request's server-only values during the server render; empty in the browser. */
export const ServerOnlyContext = createContext<ServerOnly>(new ServerOnly());

export function useServerOnly<T>(key: ServerOnlyKey<T>): T | undefined {
  return useContext(ServerOnlyContext).get(key);
}
