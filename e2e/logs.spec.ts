import { existsSync, readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { TEST_CARDS } from "~/domain/payments";
import { FIXTURE_PASSWORD } from "../tests/support/factories";
import { secretsFile } from "./support/fixtures";
import type { E2EState } from "./support/serve";

/**
 * Runs after every other browser test (the "logs" project depends on both others): the servers'
 * log of the whole run, down to debug, as JSON lines, holds none of the secrets the browsers
 * sent or got (passwords typed, card numbers, session cookies and the session ids inside them),
 * none of the server's own (session secret, database password), and nothing shaped like one.
 */

/** A request's id: ours (a UUID), or, for the requests that came through nginx, nginx's $request_id (32 hex digits). */
const REQUEST_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|[0-9a-f]{32})$/;

/** Runs of 13 to 19 digits (spaces or dashes between them allowed) that pass the Luhn check: card numbers. */
function cardNumbersIn(text: string): string[] {
  const found: string[] = [];
  // Not inside a longer word (a uuid's digit groups, joined by its dashes, are not a card).
  for (const match of text.matchAll(/(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])/g)) {
    const digits = match[0].replace(/\D/g, "");
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let d = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      sum += d;
    }
    if (sum % 10 === 0) found.push(match[0]);
  }
  return found;
}

test("the server's log of the whole run holds no secret, and one line per request", () => {
  const state = JSON.parse(readFileSync(process.env.HOLDFAST_E2E_STATE!, "utf8")) as E2EState;
  const text = readFileSync(state.logFile, "utf8");
  const lines = text.trimEnd().split("\n");

  // Every line is one JSON object with a time, a level and a message.
  const entries = lines.map((line, i) => {
    const entry = JSON.parse(line) as Record<string, unknown>;
    expect(entry, `line ${i + 1}`).toMatchObject({ time: expect.any(String), level: expect.any(String), msg: expect.any(String) });
    return entry;
  });

  // The run's requests are in it, each once, with what an operator needs.
  const requests = entries.filter((entry) => entry.msg === "request");
  expect(requests.length).toBeGreaterThan(200);
  for (const request of requests) {
    expect(request).toMatchObject({
      reqId: expect.stringMatching(REQUEST_ID),
      method: expect.stringMatching(/^[A-Z]+$/),
      path: expect.stringMatching(/^\//),
      status: expect.any(Number),
      durationMs: expect.any(Number),
    });
  }
  expect(new Set(requests.map((r) => r.reqId)).size).toBe(requests.length);
  expect(requests.some((r) => r.method === "POST" && r.path === "/login")).toBe(true);
  expect(requests.some((r) => r.method === "POST" && String(r.path).startsWith("/bookings/"))).toBe(true);
  // A line about a request's failure says which request.
  for (const entry of entries.filter((e) => e.level === "error" && /^(GET|POST|PUT|PATCH|DELETE|HEAD) \//.test(String(e.msg)))) {
    expect(entry.reqId, String(entry.msg)).toEqual(expect.stringMatching(REQUEST_ID));
  }

  // The secrets the browsers sent or got in this run.
  const sent = existsSync(secretsFile())
    ? readFileSync(secretsFile(), "utf8")
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line) as string)
    : [];
  expect(sent, "passwords typed").toContain("apollo-guidance-11");
  expect(sent, "card numbers typed").toContain(TEST_CARDS.decline);
  expect(sent.length, "session cookies seen").toBeGreaterThan(20);
  const databasePassword = decodeURIComponent(new URL(state.databaseUrl).password);
  const secrets = new Set([...sent, FIXTURE_PASSWORD, state.sessionSecret, databasePassword].filter((s) => s.length >= 6));
  for (const secret of secrets) {
    for (const form of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])) {
      expect(text.includes(form), `the log holds a secret: ${secret.slice(0, 4)}…`).toBe(false);
    }
  }

  // Nothing shaped like a secret either: card numbers, password hashes, bearer tokens, cookies.
  expect(cardNumbersIn(text)).toEqual([]);
  expect(text).not.toMatch(/\$2[aby]\$\d\d\$/);
  expect(text).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
  expect(text).not.toMatch(/__holdfast=|"(cookie|authorization|password)":/i);
});
