import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createUser, findUserById, upsertAdmin, verifyLogin } from "~/domain/accounts.server";
import { InvalidCredentials, ValidationFailed } from "~/domain/errors";
import { useTestDatabase } from "../support/test-database";

const t = useTestDatabase();

async function countUsers() {
  const [row] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from users`);
  return row.n;
}

describe("accounts", () => {
  it("stores a bcrypt hash of cost 12 or more, never the password", async () => {
    const user = await createUser(t.db, { name: "Ann", email: "Ann@Example.com", password: "correct horse" });
    expect(user).toMatchObject({ name: "Ann", email: "ann@example.com", role: "USER" });
    const [row] = await t.db.execute<{ password_hash: string }>(sql`select password_hash from users where id = ${user.id}`);
    expect(row.password_hash).toMatch(/^\$2[aby]\$(1[2-9]|[2-3]\d)\$/);
    expect(row.password_hash).not.toContain("correct horse");
  });

  it("allows one account per email whatever its case, even when sign-ups race", async () => {
    const input = { name: "Bo", email: "race@example.com", password: "a-good-long-password" };
    const results = await Promise.allSettled(
      ["race@example.com", "RACE@example.com", "Race@Example.COM", "race@EXAMPLE.com"].map((email) =>
        createUser(t.db, { ...input, email }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ValidationFailed);
      expect((r as PromiseRejectedResult).reason.fieldErrors).toEqual({ email: "An account with this email already exists" });
    }
  });

  it.each([
    [{ name: "", email: "", password: "" }, ["name", "email", "password"]],
    [{ name: "Cy", email: "not-an-email", password: "a-good-long-password" }, ["email"]],
    [{ name: "Cy", email: "cy@example.com", password: "short" }, ["password"]],
    [{ name: "x".repeat(1_000_000), email: "cy@example.com", password: "a-good-long-password" }, ["name"]],
    [{ name: "Cy", email: "cy@example.com", password: "é".repeat(40) }, ["password"]],
    [{ name: 42, email: null, password: undefined }, ["name", "email", "password"]],
    [{ name: "a\u0000b", email: "nul@example.com", password: "a-good-long-password" }, ["name"]],
    [{ name: "two\nlines", email: "nl@example.com", password: "a-good-long-password" }, ["name"]],
  ])("rejects bad sign-up input %# field by field and stores nothing", async (input, fields) => {
    const before = await countUsers();
    const error = await createUser(t.db, input).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationFailed);
    expect(Object.keys(error.fieldErrors).sort()).toEqual([...fields].sort());
    expect(await countUsers()).toBe(before);
  });

  it("fails a login the same way for an unknown email and a wrong password", async () => {
    await createUser(t.db, { name: "Di", email: "di@example.com", password: "a-good-long-password" });
    const unknown = await verifyLogin(t.db, { email: "nobody@example.com", password: "a-good-long-password" }).catch((e) => e);
    const wrong = await verifyLogin(t.db, { email: "di@example.com", password: "another-long-password" }).catch((e) => e);
    expect(unknown).toBeInstanceOf(InvalidCredentials);
    expect(wrong).toBeInstanceOf(InvalidCredentials);
    expect(unknown.message).toBe("Invalid email or password");
    expect(wrong.message).toBe(unknown.message);
    await expect(verifyLogin(t.db, { email: "DI@example.com", password: "a-good-long-password" })).resolves.toMatchObject({
      email: "di@example.com",
    });
  });

  it("promotes or creates an admin for the admin:create script", async () => {
    const user = await createUser(t.db, { name: "Ed", email: "ed@example.com", password: "a-good-long-password" });
    const promoted = await upsertAdmin(t.db, { name: "Ed", email: "ED@example.com", password: "a-newer-long-password" });
    expect(promoted).toMatchObject({ created: false, user: { id: user.id, role: "ADMIN" } });
    const created = await upsertAdmin(t.db, { name: "Flo", email: "flo@example.com", password: "a-good-long-password" });
    expect(created).toMatchObject({ created: true, user: { role: "ADMIN" } });
    expect((await findUserById(t.db, created.user.id))?.role).toBe("ADMIN");
    expect(await findUserById(t.db, "not-a-uuid")).toBeUndefined();
  });
});
