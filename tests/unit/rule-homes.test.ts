/**
 * One home per rule (issue 20). Whether a hold is live or has ended, and whether a seat is free,
 * held or for sale, is written once in TypeScript (app/domain/seat-state.ts) and once in SQL
 * beside it (seat-state.server.ts: `holdIsLive`, `holdHasEnded`, `seatIsFree`, `seatIsHeld`,
 * `timeIsUp` …); tests/integration/seat-state.test.ts holds the two to each other. Every other
 * statement and function composes them. This test fails when one of those rules is typed out again
 * anywhere else in app/, and its first case shows that it would.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const APP = path.resolve(import.meta.dirname, "../../app");
const HOMES = new Set(["domain/seat-state.ts", "domain/seat-state.server.ts"]);

/** What a re-typed rule looks like, by what it decides. */
const RETYPED: Array<{ rule: string; pattern: RegExp }> = [
  // A hold's end compared in SQL: `expires_at > $3`, `b.expires_at <= now()`, `$1 < expires_at`.
  { rule: "a hold's time (SQL)", pattern: /\bexpires_at"?\s*(<=|>=|<|>)(?!=)|(?<![=<>-])(<=|>=|<|>)\s*[\w."]*\bexpires_at\b/ },
  // The same in TypeScript: `booking.expiresAt <= now`, `now > seat.expiresAt.getTime()`.
  {
    rule: "a hold's time (TypeScript)",
    pattern: /\bexpiresAt\b(\.getTime\(\))?\s*(<=|>=|<|>)(?![=>])|(?<![=<>-])(<=|>=|<|>)\s*[\w.]*\bexpiresAt\b/,
  },
  // …or through Drizzle's operators on a booking's or a seat's end.
  { rule: "a hold's time (Drizzle)", pattern: /\b(gt|gte|lt|lte)\(\s*(bookings|seats|b|s)\.expiresAt\b/ },
  // A seat's freedom spelled out: `status = 'AVAILABLE' or (status = 'PENDING' …`.
  { rule: "a free seat", pattern: /'AVAILABLE'\s+or\b|"AVAILABLE"\s*\|\|/ },
];

/** The rules a source re-types, as `rule: line`. */
function retypedRules(source: string): string[] {
  const found: string[] = [];
  source.split("\n").forEach((line, i) => {
    for (const { rule, pattern } of RETYPED) if (pattern.test(line)) found.push(`${rule}: line ${i + 1}: ${line.trim()}`);
  });
  return found;
}

function sources(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = `${prefix}${entry.name}`;
    if (entry.isDirectory()) return sources(path.join(dir, entry.name), `${relative}/`);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [relative] : [];
  });
}

describe("each rule about holds and seats has one home", () => {
  it("the check finds a rule typed again, in SQL, TypeScript or Drizzle, and leaves composed rules and other clocks alone", () => {
    const retyped = [
      "where user_id = $1 and status = 'HELD' and expires_at > $4::timestamptz",
      `where b.status = 'HELD' and "b"."expires_at" <= now()`,
      "return booking.status === 'HELD' && booking.expiresAt <= now;",
      "if (now.getTime() >= seat.expiresAt.getTime()) return;",
      "const live = and(eq(bookings.status, 'HELD'), gt(bookings.expiresAt, now));",
      "where (status = 'AVAILABLE' or (status = 'PENDING' and ended))",
      `return seat.status === "AVAILABLE" || ended;`,
    ];
    for (const line of retyped) expect(retypedRules(line), line).toHaveLength(1);
    const composed = [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a statement's source, as it is written
      "where user_id = ${P.buyer} and show_id = ${P.show} and ${holdIsLive(now)}",
      "update seats set expires_at = null, version = version + 1",
      "order by expires_at limit 1000",
      "const live = and(eq(bookings.userId, userId), holdIsLive(now));",
      "gt(sessions.expiresAt, now)",
      "<Countdown expiresAt={booking.expiresAt} serverNow={props.serverNow} warn />",
      "expiresAt: Date | null;",
      "live.sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime());",
    ];
    for (const line of composed) expect(retypedRules(line), line).toEqual([]);
  });

  const files = sources(APP).filter((file) => !HOMES.has(file));
  it("finds the app's sources", () => expect(files.length).toBeGreaterThan(100));

  it.each(files)("%s composes the rules from their home", (file) => {
    expect(retypedRules(readFileSync(path.join(APP, file), "utf8"))).toEqual([]);
  });
});
