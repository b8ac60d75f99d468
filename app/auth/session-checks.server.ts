import type { Db } from "~/db/client.server";
import { hashSessionId, sessionExpiry } from "~/domain/sessions.server";

/**
 * "Is this session still live?", asked on the hot paths (a hold, an API call) that do not read
 * the user otherwise. A yes is remembered for a few seconds (never past the session's end), so a
 * flash sale's requests do not each cost a query; a log-out in this process forgets at once, and
 * one in another process (or "log out everywhere") is felt within CHECK_SECONDS. Pages that read
 * the user read the session with it, fresh (guards.server.ts).
 */
export const CHECK_SECONDS = 5;
const MAX_REMEMBERED = 100_000;

export class SessionChecks {
  private readonly live = new Map<string, { userId: string; until: number }>();

  constructor(private readonly db: Db) {}

  async isLive(sessionId: string, userId: string, now: Date = new Date()): Promise<boolean> {
    const key = hashSessionId(sessionId);
    const known = this.live.get(key);
    if (known && known.userId === userId && known.until > now.getTime()) return true;
    const expiresAt = await sessionExpiry(this.db, sessionId, userId, now);
    if (!expiresAt) {
      this.live.delete(key);
      return false;
    }
    if (this.live.size >= MAX_REMEMBERED) this.live.delete(this.live.keys().next().value as string);
    this.live.set(key, { userId, until: Math.min(expiresAt.getTime(), now.getTime() + CHECK_SECONDS * 1000) });
    return true;
  }

  /** After ending a session here: this process stops believing in it at once. */
  forget(sessionId: string) {
    this.live.delete(hashSessionId(sessionId));
  }

  /** After ending all of a person's sessions here. */
  forgetUser(userId: string) {
    for (const [key, entry] of this.live) if (entry.userId === userId) this.live.delete(key);
  }
}
