/** SQLSTATEs that mean "the database gave up on this transaction; the same work may succeed now". */
const TRANSIENT = new Set(["40P01", "40001"]); // deadlock_detected, serialization_failure

export function sqlStateOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Runs a whole transaction again when PostgreSQL aborted it for a deadlock or a serialization
 * failure, so such errors never reach a caller. Each attempt starts from scratch.
 */
export async function retryTransient<T>(work: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const state = sqlStateOf(error);
      if (!state || !TRANSIENT.has(state) || attempt >= attempts) throw error;
      await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    }
  }
}
