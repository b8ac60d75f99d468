import { DrizzleQueryError } from "drizzle-orm/errors";
import { describe, expect, it } from "vitest";
import { NotFound } from "~/domain/errors";
import { createLogger, type LogLevel } from "~/logger.server";

/** A logger whose lines are kept, parsed. */
function capture(level: LogLevel = "debug", format: "json" | "text" = "json") {
  const raw: string[] = [];
  const log = createLogger(level, { format, destination: { write: (line: string) => void raw.push(line) } });
  const lines = () => raw.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { log, raw, lines };
}

describe("the logger", () => {
  it("writes one JSON object per line: ISO time, level, message, process id", () => {
    const { log, raw, lines } = capture();
    log.info("Holdfast is listening on http://localhost:3000");
    expect(raw).toHaveLength(1);
    expect(raw[0].endsWith("\n")).toBe(true);
    expect(raw[0].trimEnd()).not.toContain("\n");
    const [line] = lines();
    expect(line).toMatchObject({ level: "info", pid: process.pid, msg: "Holdfast is listening on http://localhost:3000" });
    expect(new Date(line.time as string).toISOString()).toBe(line.time);
  });

  it("writes errors whatever the level, and nothing below the level", () => {
    const { log, lines } = capture("silent");
    log.info("not this");
    log.debug("nor this");
    log.error("sweeper failed", new NotFound("gone"));
    expect(lines()).toEqual([expect.objectContaining({ level: "error", msg: "sweeper failed", err: "NotFound NOT_FOUND: gone" })]);
  });

  it("puts the request's id on every line written through the request's logger, and on no other", () => {
    const { log, lines } = capture();
    const first = log.forRequest("req-1");
    const second = log.forRequest("req-2");
    log.info("before");
    first.info("first", { status: 200 });
    second.debug("second");
    first.error("failed", new Error("boom"), { path: "/x" });
    log.info("after");
    expect(lines().map((l) => [l.msg, l.reqId])).toEqual([
      ["before", undefined],
      ["first", "req-1"],
      ["second", "req-2"],
      ["failed", "req-1"],
      ["after", undefined],
    ]);
    expect(lines()[3]).toMatchObject({ path: "/x", err: "Error: boom" });
  });

  it("censors fields named like a secret, or a request's headers or body, if a caller passes them", () => {
    const { log, raw } = capture();
    log.forRequest("r").info("careless", {
      email: "a@example.com",
      password: "hunter2-hunter2",
      passwordHash: "$2b$12$abc",
      token: "eyJhbGciOi.x.y",
      headers: { cookie: "__holdfast=abc", authorization: "Bearer eyJ" },
      body: "email=a%40example.com&password=hunter2-hunter2",
      card: "4242 4242 4242 4242",
    });
    const text = raw.join("");
    for (const secret of ["hunter2", "$2b$", "eyJ", "__holdfast", "4242"]) expect(text).not.toContain(secret);
    expect(text).toContain("a@example.com");
    expect(text).toContain("[redacted]");
  });

  it("logs a database error's code and message, never the query or its parameters; a fault of ours with its frames", () => {
    const { log, raw, lines } = capture();
    const cause = Object.assign(new Error("duplicate key value"), { code: "23505" });
    log.error("insert failed", new DrizzleQueryError("insert into users values ($1, $2)", ["ann@example.com", "$2b$12$secret"], cause));
    log.error("render failed", new TypeError("x is undefined"));
    expect(raw[0]).not.toMatch(/ann@example|\$2b\$|insert into/);
    const [database, fault] = lines();
    expect(database).toMatchObject({ err: "database error 23505: duplicate key value" });
    expect(database.stack).toBeUndefined();
    expect(fault).toMatchObject({ err: "TypeError: x is undefined" });
    expect(fault.stack).toMatch(/^at .*logger\.test\.ts/);
  });

  it("writes a line to read by eye with LOG_FORMAT=text", () => {
    const lines: string[] = [];
    const log = createLogger("info", { format: "text", destination: { write: (line: string) => void lines.push(line) } });
    log.forRequest("abc").info("request", { method: "GET", path: "/a b", status: 200 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+Z info {2}\[abc\] request method=GET path="\/a b" status=200\n$/);
  });
});
