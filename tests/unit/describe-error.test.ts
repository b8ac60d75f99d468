import { DrizzleQueryError } from "drizzle-orm/errors";
import { describe, expect, it } from "vitest";
import { describeError } from "~/logger.server";

describe("describeError", () => {
  it("logs a database error's code and message, never the query's parameters", () => {
    const cause = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: "22021" });
    const error = new DrizzleQueryError("insert into users values ($1, $2)", ["ann@example.com", "$2b$12$secrethash"], cause);
    const line = describeError(error);
    expect(line).toBe('database error 22021: invalid byte sequence for encoding "UTF8": 0x00');
    expect(line).not.toContain("$2b$");
    expect(line).not.toContain("ann@example.com");
  });

  it("names other errors by class and message", () => {
    expect(describeError(new TypeError("boom"))).toBe("TypeError: boom");
    expect(describeError("plain")).toBe("plain");
  });
});
