import { existsSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/**
 * The project folder: the nearest parent with a package.json. Found by walking up, so it is the
 * same whether this module runs from app/ (tsx) or from the bundled build/.
 */
function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) return from;
  }
}
export const PROJECT_ROOT = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));
/** Where the embedded PostgreSQL and the development session secret live unless HOLDFAST_DATA_DIR says otherwise. */
export const DEFAULT_DATA_DIR = path.join(PROJECT_ROOT, ".data");

/**
 * Every setting Holdfast reads from the environment, validated once at start.
 * A bad or missing variable stops the start with a message that names it.
 */
const PROXY_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);
function isTrustProxyValue(raw: string): boolean {
  if (/^(true|false|\d+)$/.test(raw)) return true;
  return raw.split(",").every((part) => {
    const item = part.trim();
    if (PROXY_NAMES.has(item)) return true;
    const [addr, bits, ...rest] = item.split("/");
    if (rest.length > 0 || isIP(addr) === 0) return false;
    return bits === undefined || /^\d{1,3}$/.test(bits);
  });
}

/** Booking rules' defaults, once: config reads them, and domain/settings.ts builds its defaults from them. */
export const BOOKING_DEFAULTS = {
  maxSeatsPerHold: 8,
  holdTtlSeconds: 300,
  sweepIntervalSeconds: 60,
  holdStrategy: "cas",
  casAttempts: 3,
  holdBatch: 32,
  maxHeldSeatsPerAddress: 12,
  holdExtensionSeconds: 120,
} as const;

const booleanish = z.enum(["true", "false", "1", "0", "yes", "no", ""]).transform((v) => v === "true" || v === "1" || v === "yes");

const intSetting = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);

const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: intSetting(3000, 0, 65535),
    HOST: z.string().min(1).optional(),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
    /** Read replicas for the pure listings (the show list), comma-separated. */
    DATABASE_REPLICA_URLS: z
      .string()
      .refine(
        (raw) => raw.split(",").every((part) => /^postgres(ql)?:\/\//.test(part.trim())),
        "must be a comma-separated list of postgres:// or postgresql:// URLs",
      )
      .optional(),
    /** The database itself, not through a pooler: migrations and LISTEN (which a transaction-mode pooler cannot carry). */
    DATABASE_DIRECT_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
    /** "transaction" when DATABASE_URL is a pooler in transaction mode (pgbouncer's pool_mode = transaction). */
    DATABASE_POOLER: z.enum(["none", "transaction"]).default("none"),
    HOLDFAST_DATA_DIR: z.string().min(1).optional(),
    /** The address buyers reach the app at, for links in e-mails. */
    PUBLIC_URL: z.string().url("must be a URL such as https://tickets.example.com").optional(),
    /** RabbitMQ for the events (app/events/); unset: delivered in process. */
    AMQP_URL: z
      .string()
      .regex(/^amqps?:\/\//, "must be an amqp:// or amqps:// URL")
      .optional(),
    /** Where e-mails go; unset: written as .eml files to MAIL_DIR. */
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
      .optional(),
    MAIL_DIR: z.string().min(1).optional(),
    /** Redis for the show list's cache; unset: nothing is cached. */
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
      .optional(),
    REDIS_KEY_PREFIX: z.string().min(1).max(100).default("holdfast:"),
    CACHE_TTL_SECONDS: intSetting(10, 1, 3600),
    MAIL_FROM: z.string().min(3).default("Holdfast <tickets@holdfast.localhost>"),
    SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    JWT_TTL_SECONDS: intSetting(3600, 60, 86_400 * 30),
    AUTH_RATE_LIMIT_PER_MINUTE: intSetting(10, 0, 100_000),
    TRUST_PROXY: z
      .string()
      .refine(
        isTrustProxyValue,
        "must be true, false, a hop count, or a comma-separated list of addresses, subnets or loopback/linklocal/uniquelocal",
      )
      .optional(),
    DB_POOL_SIZE: intSetting(10, 1, 500),
    DB_CONNECT_TIMEOUT_SECONDS: intSetting(5, 1, 120),
    DB_STATEMENT_TIMEOUT_MS: intSetting(30_000, 0, 3_600_000),
    DB_ACQUIRE_TIMEOUT_MS: intSetting(3_000, 100, 60_000),
    DEMO_SEED: booleanish.optional(),
    MAX_SEATS_PER_HOLD: intSetting(BOOKING_DEFAULTS.maxSeatsPerHold, 1, 100),
    HOLD_TTL_SECONDS: intSetting(BOOKING_DEFAULTS.holdTtlSeconds, 1, 86_400),
    SWEEP_INTERVAL_SECONDS: intSetting(BOOKING_DEFAULTS.sweepIntervalSeconds, 1, 86_400),
    HOLD_STRATEGY: z.enum(["cas", "lock"]).default(BOOKING_DEFAULTS.holdStrategy),
    HOLD_BATCH: intSetting(BOOKING_DEFAULTS.holdBatch, 1, 500),
    MAX_HELD_SEATS_PER_ADDRESS: intSetting(BOOKING_DEFAULTS.maxHeldSeatsPerAddress, 0, 100_000),
    HOLD_EXTENSION_SECONDS: intSetting(BOOKING_DEFAULTS.holdExtensionSeconds, 0, 3600),
    LOG_LEVEL: z.enum(["silent", "error", "info", "debug"]).default("info"),
    LOG_FORMAT: z.enum(["json", "text"]).default("json"),
  })
  .superRefine((env, ctx) => {
    for (const name of ["DATABASE_REPLICA_URLS", "DATABASE_DIRECT_URL"] as const) {
      if (env[name] && !env.DATABASE_URL) {
        ctx.addIssue({ code: "custom", path: [name], message: "needs DATABASE_URL (the embedded PostgreSQL has no replicas or pooler)" });
      }
    }
    if (env.DATABASE_POOLER === "transaction" && !env.DATABASE_DIRECT_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["DATABASE_DIRECT_URL"],
        message: "is required when DATABASE_POOLER=transaction: migrations and LISTEN need a connection of their own, not the pooler's",
      });
    }
    if (env.NODE_ENV === "production" && !env.SESSION_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["SESSION_SECRET"],
        message: "is required when NODE_ENV=production (at least 32 random characters)",
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env["NODE_ENV"];
  isProduction: boolean;
  port: number;
  host: string;
  databaseUrl: string | undefined;
  /** Read replicas for the listings; empty: the primary serves them. */
  databaseReplicaUrls: string[];
  /** For migrations and LISTEN; unset: DATABASE_URL. */
  databaseDirectUrl: string | undefined;
  publicUrl: string | undefined;
  amqpUrl: string | undefined;
  smtpUrl: string | undefined;
  /** Where e-mails are written when there is no SMTP_URL (default: the data folder's mail/). */
  mailDir: string;
  mailFrom: string;
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  cacheTtlSeconds: number;
  /** "transaction": DATABASE_URL is a transaction-mode pooler (no named prepared statements, no session state). */
  databasePooler: "none" | "transaction";
  dataDir: string;
  sessionSecret: string | undefined;
  /** Signs the API's bearer tokens; without it, a key derived from the session secret. */
  jwtSecret: string | undefined;
  jwtTtlSeconds: number;
  authRateLimitPerMinute: number;
  /** Express's `trust proxy` value; false means the socket address is the client. */
  trustProxy: boolean | number | string;
  dbPoolSize: number;
  /** How long opening a connection may take before a request is answered 503 (the database is out of reach). */
  dbConnectTimeoutSeconds: number;
  /** How long one statement may run before PostgreSQL cancels it (0: no limit). */
  dbStatementTimeoutMs: number;
  /** How long a hold waits for a free connection before it is refused with 503 (nothing done). */
  dbAcquireTimeoutMs: number;
  /** Seed demo accounts and shows: only on the embedded default, never in production. */
  demoSeed: boolean;
  booking: {
    maxSeatsPerHold: number;
    holdTtlSeconds: number;
    sweepIntervalSeconds: number;
    holdStrategy: "cas" | "lock";
    holdBatch: number;
    maxHeldSeatsPerAddress: number;
    holdExtensionSeconds: number;
  };
  logLevel: Env["LOG_LEVEL"];
  /** json: one object per line (for machines); text: a line to read by eye. */
  logFormat: Env["LOG_FORMAT"];
}

export class ConfigError extends Error {
  name = "ConfigError";
}

function parseTrustProxy(raw: string | undefined): boolean | number | string {
  if (raw === undefined || raw === "" || raw === "false" || raw === "0") return false;
  if (raw === "true") return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  // A comma-separated list of addresses/subnets or express's names (loopback, uniquelocal…).
  return raw;
}

/** Values that are empty strings count as unset, so `FOO= npm start` behaves like no FOO. */
function withoutEmpty(source: Record<string, string | undefined>) {
  return Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
}

export function loadConfig(
  source: Record<string, string | undefined> = process.env,
  defaults: { dataDir: string } = { dataDir: DEFAULT_DATA_DIR },
): Config {
  const parsed = envSchema.safeParse(withoutEmpty(source));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = issue.path.join(".") || "environment";
      return `  ${name}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const env = parsed.data;
  const isProduction = env.NODE_ENV === "production";
  const embedded = !env.DATABASE_URL;
  const demoSeed = embedded && !isProduction && (env.DEMO_SEED ?? true);
  return {
    env: env.NODE_ENV,
    isProduction,
    port: env.PORT,
    // The demo logins' passwords are in the README: with them, only this machine is let in unless HOST says otherwise.
    host: env.HOST ?? (demoSeed ? "127.0.0.1" : "0.0.0.0"),
    databaseUrl: env.DATABASE_URL,
    databaseReplicaUrls: env.DATABASE_REPLICA_URLS?.split(",").map((u) => u.trim()) ?? [],
    databaseDirectUrl: env.DATABASE_DIRECT_URL,
    databasePooler: env.DATABASE_POOLER,
    dataDir: env.HOLDFAST_DATA_DIR ?? defaults.dataDir,
    publicUrl: env.PUBLIC_URL?.replace(/\/+$/, ""),
    amqpUrl: env.AMQP_URL,
    smtpUrl: env.SMTP_URL,
    mailDir: env.MAIL_DIR ?? path.join(env.HOLDFAST_DATA_DIR ?? defaults.dataDir, "mail"),
    mailFrom: env.MAIL_FROM,
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    cacheTtlSeconds: env.CACHE_TTL_SECONDS,
    sessionSecret: env.SESSION_SECRET,
    jwtSecret: env.JWT_SECRET,
    jwtTtlSeconds: env.JWT_TTL_SECONDS,
    authRateLimitPerMinute: env.AUTH_RATE_LIMIT_PER_MINUTE,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    dbPoolSize: env.DB_POOL_SIZE,
    dbConnectTimeoutSeconds: env.DB_CONNECT_TIMEOUT_SECONDS,
    dbStatementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
    dbAcquireTimeoutMs: env.DB_ACQUIRE_TIMEOUT_MS,
    demoSeed,
    booking: {
      maxSeatsPerHold: env.MAX_SEATS_PER_HOLD,
      holdTtlSeconds: env.HOLD_TTL_SECONDS,
      sweepIntervalSeconds: env.SWEEP_INTERVAL_SECONDS,
      holdStrategy: env.HOLD_STRATEGY,
      holdBatch: env.HOLD_BATCH,
      maxHeldSeatsPerAddress: env.MAX_HELD_SEATS_PER_ADDRESS,
      holdExtensionSeconds: env.HOLD_EXTENSION_SECONDS,
    },
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
  };
}
