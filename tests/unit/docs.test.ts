/**
 * The README is what a newcomer reads in five minutes (issue 20): at most 200 lines, with the rest
 * in docs/. Every section it used to carry is a heading there, and every relative link in the
 * README and docs/ (a file, or a heading in a file) leads somewhere.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DOCS = path.join(ROOT, "docs");
const pages = [
  path.join(ROOT, "README.md"),
  ...readdirSync(DOCS, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".md"))
    .map((f) => path.join(DOCS, f)),
];

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");

function headingsOf(file: string): string[] {
  let fenced = false;
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => {
      if (line.startsWith("```")) fenced = !fenced;
      return !fenced && /^#{1,6} /.test(line);
    })
    .map((line) => line.replace(/^#+ /, ""));
}

/** Relative links (and images) of a Markdown page, outside code. */
function linksOf(file: string): string[] {
  const text = readFileSync(file, "utf8")
    .replace(/```[\s\S]*?```/g, "")
    .replace(/`[^`\n]*`/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((href) => !/^[a-z]+:/i.test(href));
}

describe("README and docs/", () => {
  it("the README stays under 200 lines", () => {
    expect(readFileSync(path.join(ROOT, "README.md"), "utf8").trimEnd().split("\n").length).toBeLessThanOrEqual(200);
  });

  it("every section the README used to carry is a heading in docs/", () => {
    const headings = pages.filter((p) => p.startsWith(DOCS)).flatMap(headingsOf);
    for (const section of [
      "Buying a seat",
      "How a seat is never sold twice",
      "Operating Holdfast",
      "When the database goes away",
      "Logs",
      "Settings",
      "Scripts",
      "Running several instances",
      "Events: e-mails, sales figures, a cached show list",
      "The JSON API",
      "Testing Holdfast",
      "Benchmarks",
      "What the outbox costs a hold",
      "Soak",
      "Where things live",
      "Security",
    ]) {
      expect(headings, section).toContain(section);
    }
  });

  it("the anchor rule matches GitHub's", () => {
    expect(anchorOf("How a seat is never sold twice")).toBe("how-a-seat-is-never-sold-twice");
    expect(anchorOf("Events: e-mails, sales figures, a cached show list")).toBe("events-e-mails-sales-figures-a-cached-show-list");
  });

  it.each(pages.map((p) => path.relative(ROOT, p)))("every relative link in %s resolves", (page) => {
    const from = path.join(ROOT, page);
    const links = linksOf(from);
    for (const href of links) {
      const [target, anchor] = href.split("#");
      const file = target ? path.resolve(path.dirname(from), decodeURIComponent(target)) : from;
      expect(existsSync(file), `${page}: ${href}`).toBe(true);
      if (anchor && statSync(file).isFile()) expect(headingsOf(file).map(anchorOf), `${page}: ${href}`).toContain(anchor);
    }
  });
});
