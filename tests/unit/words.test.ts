/**
 * Counted words (app/domain/words.ts): the language's plural rules, through Intl.PluralRules,
 * and nowhere a hand-written `count === 1 ? "seat" : "seats"` (issue 21: "1 bookings refunded").
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { counted, plural } from "~/domain/words";

const APP = path.resolve(import.meta.dirname, "../../app");
/** A hand-made plural: a count compared with 1 choosing between two words. */
const HAND_PLURAL = /[\w.)\]]\s*===\s*1\s*\?\s*["`'][^"`']*["`']\s*:\s*["`']/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

describe("counted words", () => {
  it("say 0 seats, 1 seat, 2 seats, 1,000 seats", () => {
    expect([0, 1, 2, 1000].map((n) => counted(n, "seat", "seats"))).toEqual(["0 seats", "1 seat", "2 seats", "1,000 seats"]);
    expect(plural(1, "is", "are")).toBe("is");
    expect(plural(3, "is", "are")).toBe("are");
  });

  it("are never made by hand in app/ (and the check finds one when there is)", () => {
    expect(HAND_PLURAL.test('seat" + (n === 1 ? "" : "s")')).toBe(true);
    expect(HAND_PLURAL.test('bookings === 1 ? "booking" : "bookings"')).toBe(true);
    const found = sources(APP).flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .flatMap((line, i) => (HAND_PLURAL.test(line) ? [`${path.relative(APP, file)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });
});
