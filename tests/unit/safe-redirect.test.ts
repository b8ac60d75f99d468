import { describe, expect, it } from "vitest";
import { safeRedirect } from "~/auth/guards.server";

describe("safeRedirect", () => {
  it.each(["/", "/admin", "/shows/abc?x=1#seat", "/login?redirectTo=%2Fadmin", "/%0A"])("keeps the same-site path %s", (to) => {
    expect(safeRedirect(to)).toBe(to);
  });

  it.each([
    "//evil.example/x",
    // Paths that normalise to "//host" (a protocol-relative URL in Location): the security review's cases.
    "/.//evil.example/phish",
    "/..//evil.example/phish",
    "/%2e%2e//evil.example/phish",
    "/%2E//evil.example/phish",
    "/a/../..//evil.example",
    "/././/evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/a\nb",
    "https://evil.example",
    "evil.example",
    "",
    null,
    undefined,
  ])("falls back to / for %j", (to) => {
    expect(safeRedirect(to)).toBe("/");
  });
});
