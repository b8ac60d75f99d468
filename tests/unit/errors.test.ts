import { describe, expect, it } from "vitest";
import * as errors from "~/domain/errors";
import { DomainError, type ErrorCode } from "~/domain/errors";
import { STATUS_OF_CODE, statusOf } from "~/http/errors.server";

/**
 * Every DomainError subclass and the status it answers with. A new subclass missing here fails
 * the first test; a new code missing from STATUS_OF_CODE fails `tsc` (see the type checks below).
 */
const EXPECTED: Record<string, { sample: DomainError; status: number }> = {
  ValidationFailed: { sample: new errors.ValidationFailed({ name: "Name is required" }), status: 400 },
  InvalidCredentials: { sample: new errors.InvalidCredentials(), status: 401 },
  Unauthenticated: { sample: new errors.Unauthenticated("A bearer token is required"), status: 401 },
  IdempotencyMismatch: { sample: new errors.IdempotencyMismatch(), status: 422 },
  NotFound: { sample: new errors.NotFound("There is no such show"), status: 404 },
  Forbidden: { sample: new errors.Forbidden("This page is for administrators."), status: 403 },
  RateLimited: { sample: new errors.RateLimited(30), status: 429 },
  SeatsUnavailable: { sample: new errors.SeatsUnavailable(["A1"]), status: 409 },
  HoldExpired: { sample: new errors.HoldExpired(new Date()), status: 410 },
  Conflict: { sample: new errors.Conflict("This booking is already paid for"), status: 409 },
  PaymentDeclined: { sample: new errors.PaymentDeclined(), status: 402 },
};

describe("the error table", () => {
  it("lists every DomainError subclass the domain exports", () => {
    const classes = Object.entries(errors)
      .filter(([, value]) => typeof value === "function" && value.prototype instanceof DomainError)
      .map(([name]) => name)
      .sort();
    expect(classes).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))("%s answers %j", (name, { sample, status }) => {
    expect(sample.constructor.name).toBe(name);
    expect(statusOf(sample)).toBe(status);
  });

  it("has a status for every code, and every status is a 4xx", () => {
    for (const status of Object.values(STATUS_OF_CODE)) {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
    }
  });

  it("lets the typecheck refuse a code without a status, and a class with an unknown code", () => {
    // @ts-expect-error a table that misses a code does not compile
    const incomplete: Record<ErrorCode, number> = { VALIDATION_FAILED: 400 };
    class Invented extends DomainError {
      // @ts-expect-error a class cannot carry a code the table does not know
      readonly code = "INVENTED";
    }
    expect(incomplete).toBeDefined();
    expect(new Invented("x")).toBeInstanceOf(DomainError);
  });
});
