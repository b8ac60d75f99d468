import type { IncomingMessage } from "node:http";

/**
 * Whether a request's change may still be sent to the database. A request can be answered by
 * someone else (the 503 watchdog, app/server/http.server.ts) or left by its client while its work
 * goes on; a hold sent after that would be stored with nobody told, or with the buyer told it
 * failed. So the change claims the request just before it is sent (`claim`), and whoever would
 * answer instead first abandons it (`abandon`): exactly one of the two wins.
 */
export class RequestFate {
  #answered = false;
  #committing = false;

  /** The change is about to be sent: true, and the request is answered with its outcome; false if it was answered or left already. */
  readonly claim = (): boolean => {
    if (this.#answered) return false;
    this.#committing = true;
    return true;
  };

  /** Answering otherwise (or the client left): true if no change will be sent now; false if one is in flight (wait for its outcome). */
  abandon(): boolean {
    if (this.#committing) return false;
    this.#answered = true;
    return true;
  }
}

const fates = new WeakMap<IncomingMessage, RequestFate>();

export function fateOf(req: IncomingMessage): RequestFate {
  let fate = fates.get(req);
  if (!fate) {
    fate = new RequestFate();
    fates.set(req, fate);
  }
  return fate;
}
