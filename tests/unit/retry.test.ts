import { describe, expect, it } from "vitest";
import { retryTransient, sqlStateOf } from "~/domain/retry.server";

const pgError = (code: string) => Object.assign(new Error(`postgres ${code}`), { code });
const wrapped = (code: string) => Object.assign(new Error("Failed query: …"), { cause: pgError(code) });

describe("retryTransient", () => {
  it("runs the work again after a deadlock or a serialization failure, however wrapped", async () => {
    const failures = [wrapped("40P01"), pgError("40001")];
    let runs = 0;
    const result = await retryTransient(async () => {
      runs++;
      const failure = failures.shift();
      if (failure) throw failure;
      return "done";
    });
    expect(result).toBe("done");
    expect(runs).toBe(3);
  });

  it("passes other errors straight through, once", async () => {
    let runs = 0;
    await expect(
      retryTransient(async () => {
        runs++;
        throw wrapped("23505");
      }),
    ).rejects.toThrow("Failed query");
    expect(runs).toBe(1);
  });

  it("gives up after its budget", async () => {
    let runs = 0;
    await expect(
      retryTransient(async () => {
        runs++;
        throw pgError("40P01");
      }, 3),
    ).rejects.toThrow("40P01");
    expect(runs).toBe(3);
  });

  it("reads SQLSTATEs only", () => {
    expect(sqlStateOf(wrapped("40P01"))).toBe("40P01");
    expect(sqlStateOf(Object.assign(new Error(), { code: "ECONNRESET" }))).toBeUndefined();
  });
});
