import { describe, expect, it } from "vitest";
import { safeRedirect } from "~/auth/guards.server";

describe("safeRedirect", () => {
  it.each(["/", "/admin", "/shows/abc?x=1#seat", "/login?redirectTo=%2Fadmin", "/%0A"])("keeps the same-site path %s", (to) => {
    expect(safeRedirect(to)).toBe(to);
  });

  it.each([
    "//evil.example/x",
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
