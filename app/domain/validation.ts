/** Parse helpers every domain function uses. Isomorphic: no Node APIs, no database. */
import { z } from "zod";
import { NotFound, ValidationFailed } from "./errors";

/**
 * Turns a zod failure into one message per field, the first that applies. Fields are named by
 * their dotted path ("layout.sections.0.rows", as the admin form names its inputs); an element of
 * a list of plain values is reported on the list ("seatIds", not "seatIds.3").
 */
export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  // A Map, then own properties: a field called "__proto__" is named like any other.
  const out = new Map<string, string>();
  const add = (key: string, message: string) => {
    if (!out.has(key)) out.set(key, message);
  };
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      // Strict objects: a field nobody asked for is named, so the sender can see the typo.
      for (const key of issue.keys) add([...issue.path, key].map(String).join("."), `Unknown field "${key}"`);
      continue;
    }
    const path = issue.path.length > 1 && typeof issue.path[issue.path.length - 1] === "number" ? issue.path.slice(0, -1) : issue.path;
    if (path.length === 0 && issue.code === "invalid_type" && issue.expected === "object")
      add("form", "Send an object with this request's fields");
    else add(path.length ? path.map(String).join(".") : "form", issue.message);
  }
  return Object.fromEntries(out);
}

/** The schema's output, or ValidationFailed naming each field that broke a rule. */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationFailed(fieldErrorsOf(result.error));
  return result.data;
}

const uuid = z.uuid();
export const isUuid = (value: unknown): value is string => uuid.safeParse(value).success;

/**
 * An id from a URL or a body. A malformed id names nothing, so it is the same NotFound as a
 * well-formed id that names nothing: a caller cannot tell the two apart, and never gets a 500
 * from the database for a string that is not a uuid.
 */
export function requireId(value: unknown, what: "show" | "booking" | "user"): string {
  if (!isUuid(value)) throw new NotFound(`There is no such ${what}`);
  return value;
}

/**
 * Names are shown to other people (admins, the audit log), so nothing in them may be invisible or
 * reorder the text around it: no control characters (PostgreSQL cannot store NUL either), and no
 * format characters (\p{Cf}: bidi overrides like U+202E, zero-width spaces, BOMs). Zero-width
 * (non-)joiners stay allowed: Persian and Indic spelling, and emoji sequences, need them.
 */
export const NO_CONTROL_CHARACTERS = /^(?:[^\p{Cc}\p{Cf}]|[\u200C\u200D])*$/u;
export const CONTROL_CHARACTERS_MESSAGE = "cannot contain control or invisible formatting characters";
