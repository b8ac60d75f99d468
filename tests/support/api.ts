import { randomUUID } from "node:crypto";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { expect } from "vitest";
import { createTokenService } from "~/auth/tokens.server";
import type { Db } from "~/db/client.server";
import { users } from "~/db/schema";
import { startSession } from "~/domain/sessions.server";
import { FIXTURE_PASSWORD_HASH } from "./factories";
import { TEST_SECRET } from "./server";

export interface ApiResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the server sent, and assert on it
  body: any;
}

type Json = Record<string, unknown>;
const escapePointer = (part: string) => part.replace(/~/g, "~0").replace(/\//g, "~1");

/**
 * The served OpenAPI document, compiled by Ajv (JSON Schema 2020-12, OpenAPI 3.1's dialect):
 * every answer a test receives is checked against the schema the document gives for its path,
 * method and status, and the status must be one the document lists.
 */
export class Contract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly templates: Array<{ template: string; pattern: RegExp }>;
  /** Every answer seen, as "operationId success" or "operationId error_code": what the tests covered. */
  readonly seen = new Set<string>();

  constructor(readonly document: Json) {
    addFormats(this.ajv);
    this.ajv.addSchema(document, "openapi.json");
    this.templates = Object.keys(document.paths as Json).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{\w+\}/g, "[^/]+")}$`),
    }));
  }

  static async load(baseUrl: string): Promise<Contract> {
    const response = await fetch(`${baseUrl}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    return new Contract((await response.json()) as Json);
  }

  private validator(pointer: string): ValidateFunction {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi.json#${pointer}` });
      this.compiled.set(pointer, validate);
    }
    return validate;
  }

  /** Fails the test unless `body` is what the document promises for this call's status. */
  check(method: string, path: string, response: ApiResponse) {
    const where = `${method} ${path} → ${response.status}`;
    expect(response.headers.get("content-type"), where).toMatch(/^application\/json/);
    const found = this.templates.find((t) => t.pattern.test(path.split("?")[0]));
    const operation = found
      ? ((this.document.paths as Record<string, Json>)[found.template][method.toLowerCase()] as Json | undefined)
      : undefined;
    let pointer = "/components/schemas/Error";
    if (operation) {
      const responses = operation.responses as Json;
      expect(Object.keys(responses), `${where}: the document lists this status`).toContain(String(response.status));
      pointer = `/paths/${escapePointer(found!.template)}/${method.toLowerCase()}/responses/${response.status}/content/application~1json/schema`;
      this.seen.add(`${operation.operationId} ${response.status < 300 ? "success" : response.body?.error?.code}`);
    } else {
      expect([404, 405], `${where}: only unknown paths and methods fall outside the document`).toContain(response.status);
    }
    const validate = this.validator(pointer.replace(/[{}]/g, encodeURIComponent));
    const ok = validate(response.body);
    expect(ok ? [] : validate.errors, `${where}: ${JSON.stringify(response.body).slice(0, 500)}`).toEqual([]);
  }
}

/** A caller of the JSON API that checks every answer against the contract. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly contract: Contract,
    readonly token?: string,
  ) {}

  as(token: string | undefined) {
    return new ApiClient(this.baseUrl, this.contract, token);
  }

  async call(
    method: string,
    path: string,
    options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
    if (this.token !== undefined) headers.Authorization ??= `Bearer ${this.token}`;
    let body: string | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["Content-Type"] ??= "application/json";
    }
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, body });
    const text = await response.text();
    const result: ApiResponse = { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
    this.contract.check(method, path, result);
    return result;
  }

  get = (path: string, headers?: Record<string, string>) => this.call("GET", path, { headers });
  post = (path: string, body?: unknown, headers?: Record<string, string>) => this.call("POST", path, { body, headers });
  delete = (path: string) => this.call("DELETE", path);
}

/** Tokens as the test server signs them (SESSION_SECRET = TEST_SECRET, no JWT_SECRET). */
export const testTokens = createTokenService({ sessionSecret: TEST_SECRET, ttlSeconds: 3600 });

/** A user straight in the database (password FIXTURE_PASSWORD), an API session and a token for it. */
export async function apiUser(db: Db, role: "USER" | "DOOR" | "ADMIN" = "USER") {
  const id = randomUUID();
  const email = `${id}@example.com`;
  await db
    .insert(users)
    .values({ id, name: `${role === "ADMIN" ? "Admin" : "Buyer"} ${id.slice(0, 4)}`, email, passwordHash: FIXTURE_PASSWORD_HASH, role });
  const sessionId = await startSession(db, { userId: id, kind: "API", expiresAt: new Date(Date.now() + 3600_000) });
  const { token } = await testTokens.issue(id, sessionId);
  return { id, email, token, sessionId };
}
