import { DrizzleQueryError } from "drizzle-orm/errors";
import { describe, expect, it } from "vitest";
import { NotFound, SeatsUnavailable } from "~/domain/errors";
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

  it("never prints [object Object]: domain errors by code, Remix error responses by status, objects as JSON", () => {
    expect(describeError(new NotFound("There is no such show"))).toBe("NotFound NOT_FOUND: There is no such show");
    expect(describeError(new SeatsUnavailable(["A1"]))).toBe("SeatsUnavailable SEATS_UNAVAILABLE: A1 was just taken — nothing was held");
    const remixErrorResponse = { status: 404, statusText: "Not Found", internal: true, data: "No route matches URL" };
    expect(describeError(remixErrorResponse)).toBe("error response 404 Not Found: No route matches URL");
    expect(describeError(new Response("gone", { status: 410, statusText: "Gone" }))).toBe("response 410 Gone");
    expect(describeError({ reason: "odd" })).toBe('{"reason":"odd"}');
    for (const value of [new NotFound("x"), remixErrorResponse, { a: 1 }, new Response(null)]) {
      expect(describeError(value)).not.toContain("[object");
    }
  });
});
