import { ValidationFailed } from "./errors";
import { isUuid } from "./validation";

/**
 * Where a page ended, for lists keyed on (a time, an id): opaque to callers (base64url of both),
 * so a row added or changed between two pages never makes the next page skip or repeat one.
 */
export const cursorOf = (at: Date, id: string) => Buffer.from(`${at.toISOString()}|${id}`).toString("base64url");

export function readCursor(cursor: string): { at: string; id: string } {
  const [at, id, ...rest] = Buffer.from(cursor, "base64url").toString().split("|");
  if (rest.length > 0 || !isUuid(id) || Number.isNaN(Date.parse(at))) {
    throw new ValidationFailed({ cursor: "The cursor is not valid: pass nextCursor from the previous page" });
  }
  return { at, id };
}
