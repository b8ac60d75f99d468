/**
 * The seam's shape (issue 6), kept by a test rather than by memory: route modules are thin
 * adapters — guard → schema → one domain call → response — so none catches errors itself (the
 * page adapter turns a DomainError into the form's answer), none grows past 150 lines, and every
 * action that reads a form goes through pageAction.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROUTES, routeModules } from "../support/routes";

const modules = routeModules();

/** Actions with nothing to read: log-out only ends the session it came with. */
const NO_FORM = new Set(["logout.tsx"]);

describe("route modules", () => {
  it("are all found", () => {
    expect(modules.length).toBeGreaterThanOrEqual(15);
  });

  it.each(modules)("%s: no try/catch of its own, under 150 lines, its action through pageAction", (file) => {
    const source = readFileSync(path.join(ROUTES, file), "utf8");
    expect(source, "errors are the page adapter's job (app/http/page.server.ts)").not.toMatch(/\btry\s*\{|\bcatch\s*\(/);
    expect(source.split("\n").length).toBeLessThan(150);
    if (/export (const|async function|function) action\b/.test(source) && !NO_FORM.has(file)) {
      expect(source).toMatch(/export const action = \(args: ActionFunctionArgs\) =>\s+pageAction\(/);
    }
  });
});
