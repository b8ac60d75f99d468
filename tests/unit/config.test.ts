import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "~/config.server";

const load = (env: Record<string, string | undefined>) => loadConfig(env, { dataDir: "/tmp/holdfast-data" });

describe("config", () => {
  it("has working defaults for a newcomer (embedded database, demo data, dev mode)", () => {
    const config = load({});
    expect(config).toMatchObject({
      env: "development",
      port: 3000,
      databaseUrl: undefined,
      dataDir: "/tmp/holdfast-data",
      authRateLimitPerMinute: 10,
      trustProxy: false,
      demoSeed: true,
      booking: { maxSeatsPerHold: 8, holdTtlSeconds: 300, sweepIntervalSeconds: 60, holdStrategy: "cas" },
    });
  });

  it.each([
    [{ PORT: "abc" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ AUTH_RATE_LIMIT_PER_MINUTE: "-1" }, "AUTH_RATE_LIMIT_PER_MINUTE"],
    [{ HOLD_STRATEGY: "magic" }, "HOLD_STRATEGY"],
    [{ TRUST_PROXY: "banana" }, "TRUST_PROXY"],
    [{ NODE_ENV: "production" }, "SESSION_SECRET"],
    [{ SESSION_SECRET: "short" }, "SESSION_SECRET"],
    [{ DATABASE_URL: "postgres://p/db", DATABASE_REPLICA_URLS: "postgres://r1/db,http://r2" }, "DATABASE_REPLICA_URLS"],
    [{ DATABASE_REPLICA_URLS: "postgres://r1/db" }, "DATABASE_REPLICA_URLS"],
    [{ DATABASE_DIRECT_URL: "postgres://d/db" }, "DATABASE_DIRECT_URL"],
    [{ DATABASE_URL: "postgres://bouncer/db", DATABASE_POOLER: "transaction" }, "DATABASE_DIRECT_URL"],
    [{ DATABASE_URL: "postgres://p/db", DATABASE_POOLER: "statement" }, "DATABASE_POOLER"],
  ])("refuses %j and names %s", (env, name) => {
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(new RegExp(`\\b${name}\\b`));
  });

  it("never seeds demo data in production or on an external database", () => {
    const secret = "x".repeat(40);
    expect(load({ NODE_ENV: "production", SESSION_SECRET: secret }).demoSeed).toBe(false);
    expect(load({ DATABASE_URL: "postgres://localhost/db" }).demoSeed).toBe(false);
    expect(load({ DEMO_SEED: "false" }).demoSeed).toBe(false);
  });

  it("listens only on this machine while the demo logins (whose passwords are in the README) exist, unless HOST says otherwise", () => {
    expect(load({}).host).toBe("127.0.0.1");
    expect(load({ HOST: "0.0.0.0" }).host).toBe("0.0.0.0");
    expect(load({ DEMO_SEED: "false" }).host).toBe("0.0.0.0");
    expect(load({ DATABASE_URL: "postgres://localhost/db" }).host).toBe("0.0.0.0");
    expect(load({ NODE_ENV: "production", SESSION_SECRET: "x".repeat(40) }).host).toBe("0.0.0.0");
  });

  it("reads TRUST_PROXY as express's trust proxy setting", () => {
    expect(load({ TRUST_PROXY: "true" }).trustProxy).toBe(true);
    expect(load({ TRUST_PROXY: "1" }).trustProxy).toBe(1);
    expect(load({ TRUST_PROXY: "loopback, 10.0.0.0/8" }).trustProxy).toBe("loopback, 10.0.0.0/8");
    expect(load({ TRUST_PROXY: "false" }).trustProxy).toBe(false);
  });

  it("reads replicas, a direct URL and a transaction-mode pooler", () => {
    const config = load({
      DATABASE_URL: "postgres://bouncer:6432/db",
      DATABASE_DIRECT_URL: "postgres://primary:5432/db",
      DATABASE_POOLER: "transaction",
      DATABASE_REPLICA_URLS: "postgres://r1:5432/db, postgresql://r2:5432/db",
    });
    expect(config).toMatchObject({
      databaseUrl: "postgres://bouncer:6432/db",
      databaseDirectUrl: "postgres://primary:5432/db",
      databasePooler: "transaction",
      databaseReplicaUrls: ["postgres://r1:5432/db", "postgresql://r2:5432/db"],
    });
    expect(load({})).toMatchObject({ databaseReplicaUrls: [], databaseDirectUrl: undefined, databasePooler: "none" });
  });

  it("lets 0 turn the auth rate limit off", () => {
    expect(load({ AUTH_RATE_LIMIT_PER_MINUTE: "0" }).authRateLimitPerMinute).toBe(0);
  });
});
