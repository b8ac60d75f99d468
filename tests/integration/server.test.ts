import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createUser, hashPassword } from "~/domain/accounts.server";
import { TestClient, textOf } from "../support/http";
import { serverEnv, useServer } from "../support/server";
import { useTestDatabase } from "../support/test-database";

const t = useTestDatabase();
// TRUST_PROXY unset: the client address is the socket's, whatever X-Forwarded-For claims.
const server = useServer(() => serverEnv(t.url, { AUTH_RATE_LIMIT_PER_MINUTE: "10" }));

let counter = 0;
const uniqueEmail = () => `person${Date.now()}${counter++}@example.com`;
async function countUsers() {
  const [row] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from users`);
  return row.n;
}
/** Each test speaks from its own loopback address so the per-address limit stays per test. */
let address = 1;
const client = () => new TestClient(server.url, { localAddress: `127.0.0.${++address}` });

describe("health", () => {
  it("answers /healthz and /readyz as JSON", async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ok", database: "up" });
  });
});

describe("sign up", () => {
  const cases: Array<[string, Record<string, string>, Record<string, string>]> = [
    [
      "empty fields",
      { name: "", email: "", password: "" },
      { name: "Name is required", email: "Email is required", password: "Password is required" },
    ],
    [
      "a malformed email",
      { name: "Ann", email: "ann-at-example", password: "a-good-long-password" },
      { email: "Enter a valid email address" },
    ],
    [
      "a short password",
      { name: "Ann", email: "ann@example.com", password: "123" },
      { password: "Password must be at least 10 characters" },
    ],
    [
      "a 1 MB name",
      { name: "N".repeat(1024 * 1024), email: "big@example.com", password: "a-good-long-password" },
      { name: "Name must be at most 100 characters" },
    ],
  ];
  it.each(cases)("re-renders the form for %s with a message per field, 400, storing nothing", async (_, fields, messages) => {
    const before = await countUsers();
    const response = await client().post("/signup", fields);
    expect(response.status).toBe(400);
    const html = await response.text();
    for (const message of Object.values(messages)) expect(textOf(html)).toContain(message);
    if (fields.email) expect(html).toContain(`value="${fields.email}"`);
    // What was typed comes back, unless it is longer than any field accepts (never echoed: issue 10).
    if (fields.name && fields.name.length <= 1000) expect(html).toContain(`value="${fields.name}"`);
    if (fields.name && fields.name.length > 1000) expect(html).not.toContain(fields.name.slice(0, 1001));
    if (fields.password) expect(html).not.toContain(`value="${fields.password}"`);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await countUsers()).toBe(before);
  });

  it("refuses a taken email in any case", async () => {
    const email = uniqueEmail();
    await createUser(
      t.db,
      { name: "First", email, password: "a-good-long-password" },
      { passwordHash: await hashPassword("a-good-long-password") },
    );
    const before = await countUsers();
    const response = await client().post("/signup", { name: "Second", email: email.toUpperCase(), password: "a-good-long-password" });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(textOf(html)).toContain("An account with this email already exists");
    expect(html).toContain('value="Second"');
    expect(html).toContain(`value="${email.toUpperCase()}"`);
    expect(html).not.toContain('value="a-good-long-password"');
    expect(await countUsers()).toBe(before);
  });

  it("signs a person up, sets a safe session cookie and shows their name", async () => {
    const browser = client();
    const email = uniqueEmail();
    const response = await browser.post("/signup", { name: "Grace Hopper", email, password: "a-good-long-password" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/");
    const cookie = response.headers.getSetCookie().join("\n");
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i); // Secure only in production
    const home = await browser.get("/");
    expect(textOf(await home.text())).toContain("Grace Hopper");

    const logout = await browser.post("/logout", {});
    expect(logout.status).toBe(302);
    expect(textOf(await (await browser.get("/")).text())).not.toContain("Grace Hopper");

    const login = await browser.post("/login", { email: email.toUpperCase(), password: "a-good-long-password" });
    expect(login.status).toBe(302);
    expect(textOf(await (await browser.get("/")).text())).toContain("Grace Hopper");
  });
});

describe("log in", () => {
  it("says only 'Invalid email or password' for a wrong password or an unknown email", async () => {
    const email = uniqueEmail();
    await createUser(t.db, { name: "Kim", email, password: "a-good-long-password" });
    for (const attempt of [
      { email, password: "wrong-password" },
      { email: uniqueEmail(), password: "a-good-long-password" },
    ]) {
      const response = await client().post("/login", attempt);
      // 401 since the API's contract (issue 9): one status per error code, pages and API alike.
      expect(response.status).toBe(401);
      const text = textOf(await response.text());
      expect(text).toContain("Invalid email or password");
      expect(text).not.toMatch(/no account|not found|unknown/i);
    }
  });

  it("stops a guesser after 5 failures from one address with a clear 429, and never locks the owner out from elsewhere", async () => {
    const email = uniqueEmail();
    await createUser(t.db, { name: "Owner", email, password: "a-good-long-password" });
    const guesser = client();
    for (let i = 0; i < 5; i++) expect((await guesser.post("/login", { email, password: `wrong-password-${i}` })).status).toBe(401);
    const blocked = await guesser.post("/login", { email, password: "a-good-long-password" });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(textOf(await blocked.text())).toMatch(/Too many attempts\. Please wait \d+ seconds/);
    // Ten more failures spread over other addresses: still far below the per-email ceiling.
    for (let i = 0; i < 10; i++) expect((await client().post("/login", { email, password: "wrong-password" })).status).toBe(401);
    expect((await client().post("/login", { email, password: "a-good-long-password" })).status).toBe(302);
  });

  it("rate-limits by client address, and a spoofed X-Forwarded-For does not dodge it", async () => {
    const browser = client();
    for (let i = 0; i < 10; i++) {
      const r = await browser.post("/signup", { name: "", email: uniqueEmail(), password: "x" }, { "X-Forwarded-For": `198.51.100.${i}` });
      expect(r.status).toBe(400);
    }
    const blocked = await browser.post("/login", { email: uniqueEmail(), password: "whatever-1" }, { "X-Forwarded-For": "203.0.113.77" });
    expect(blocked.status).toBe(429);
  });
});

describe("admin area", () => {
  it("sends an anonymous visitor to log in and back to /admin afterwards", async () => {
    const browser = client();
    const email = uniqueEmail();
    await createUser(t.db, { name: "Root", email, password: "a-good-long-password" }, { role: "ADMIN" });
    const response = await browser.get("/admin");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/login?redirectTo=%2Fadmin");
    const login = await browser.post("/login", { email, password: "a-good-long-password", redirectTo: "/admin" });
    expect(login.headers.get("location")).toBe("/admin");
    const page = await browser.get("/admin");
    expect(page.status).toBe(200);
    expect(textOf(await page.text())).toContain("Admin");
  });

  it("answers 403 to a signed-in USER, reading the role from the database each time", async () => {
    const browser = client();
    const email = uniqueEmail();
    await createUser(t.db, { name: "Pat", email, password: "a-good-long-password" });
    await browser.post("/login", { email, password: "a-good-long-password" });
    expect((await browser.get("/admin")).status).toBe(403);
    await t.db.execute(sql`update users set role = 'ADMIN' where email = ${email}`);
    expect((await browser.get("/admin")).status).toBe(200);
    await t.db.execute(sql`update users set role = 'USER' where email = ${email}`);
    expect((await browser.get("/admin")).status).toBe(403);
  });

  it("never follows a redirectTo off the site", async () => {
    const email = uniqueEmail();
    await createUser(t.db, { name: "Lee", email, password: "a-good-long-password" });
    const response = await client().post("/login", { email, password: "a-good-long-password", redirectTo: "//evil.example/x" });
    expect(response.headers.get("location")).toBe("/");
  });
});

describe("cross-site requests", () => {
  it("refuses a state-changing request whose Origin names another site, and changes nothing", async () => {
    const before = await countUsers();
    const response = await client().post(
      "/signup",
      { name: "Mallory", email: uniqueEmail(), password: "a-good-long-password" },
      { Origin: "https://evil.example" },
    );
    expect(response.status).toBe(403);
    expect(await countUsers()).toBe(before);
  });

  it("accepts the same request from its own origin", async () => {
    const base = client();
    const response = await base.post(
      "/signup",
      { name: "Sam", email: uniqueEmail(), password: "a-good-long-password" },
      { Origin: base.baseUrl },
    );
    expect(response.status).toBe(302);
  });
});

describe("bodies that are not forms", () => {
  const bodies: Array<[string, Record<string, string>, string]> = [
    ["JSON", { "Content-Type": "application/json" }, '{"email":"a@b.c"}'],
    ["a broken multipart body", { "Content-Type": "multipart/form-data; boundary=zz" }, "garbage"],
    ["no content type", {}, "email=a@b.c"],
  ];
  it.each(bodies)("get 400 with a clear message, never 500: %s", async (_, headers, body) => {
    const before = await countUsers();
    for (const path of ["/login", "/signup"]) {
      const response = await client().request(path, { method: "POST", body, headers });
      expect(response.status).toBe(400);
      expect(textOf(await response.text())).toContain("This request could not be read as a form");
    }
    expect(await countUsers()).toBe(before);
  });
});

describe("oversized requests", () => {
  it("refuses a body over 2 MB with 413 and stores nothing", async () => {
    const before = await countUsers();
    const response = await client().post("/signup", {
      name: "N".repeat(3 * 1024 * 1024),
      email: uniqueEmail(),
      password: "a-good-long-password",
    });
    expect(response.status).toBe(413);
    expect(await response.text()).toContain("too large");
    expect(await countUsers()).toBe(before);
  });
});

describe("pages", () => {
  it("answers an unknown address with a 404 page", async () => {
    const response = await fetch(`${server.url}/no/such/page`);
    expect(response.status).toBe(404);
    expect(textOf(await response.text())).toContain("Page not found");
  });
});
