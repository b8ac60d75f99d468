/**
 * The JSON API's one adapter: it serves every endpoint in contract.ts and does, once, what each
 * would otherwise repeat. Bearer tokens only (a cookie is never authentication here, so there is
 * no CSRF surface); JSON bodies only (415), at most 64 KB however they are sent (413), parsed
 * strictly with the endpoint's schema (400 naming each field); one error shape,
 * `{"error": {"code", "message", "details"?}}`, lower-case codes, statuses from the one table in
 * errors.server.ts; never a stack trace. The handlers (app/api/v1/) only call the domain.
 *
 * Why not Remix resource routes: Remix's own work per request (about 0.6 ms of CPU on a no-op
 * route, bench/results) is more than a whole API hold may cost. See
 * docs/decisions/0010-json-api-beside-remix.md.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { z } from "zod";
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS, unavailableMessageOf } from "~/db/unavailable.server";
import type { PublicUser } from "~/domain/accounts.server";
import { findUserById } from "~/domain/accounts.server";
import { DomainError, Forbidden, Unauthenticated, ValidationFailed } from "~/domain/errors";
import { isAdmin, mayCheckIn } from "~/domain/roles";
import { fieldErrorsOf } from "~/domain/validation";
import { requestIdOf } from "~/logger.server";
import type { AppServices } from "~/server/context.server";
import { BodyTooLarge, readBody } from "~/server/remix-handler.server";
import { ENDPOINTS, type Endpoint, type EndpointId } from "./contract";
import { headersOf, statusOf } from "./errors.server";
import { fateOf } from "./request-fate";

const gzipAsync = promisify(gzip);

export const API_PREFIX = "/api/v1";
export const API_MAX_BODY_BYTES = 64 * 1024;
const GZIP_MIN_BYTES = 1024;

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown; requestId?: string };
}

/** The one error shape. Codes are sent in lower case (the domain's `SEATS_UNAVAILABLE` is `seats_unavailable`). */
export function apiErrorBody(code: string, message: string, details?: unknown): ApiErrorBody {
  return { error: { code: code.toLowerCase(), message, ...(details === undefined ? {} : { details }) } };
}

/** A server error (5xx) in the one shape, with the request's id to quote (the log has the rest). */
export function apiServerErrorBody(code: string, message: string, requestId: string | undefined): ApiErrorBody {
  return { error: { code, message, ...(requestId === undefined ? {} : { requestId }) } };
}

/** An answer the HTTP layer gives before any domain function runs (not JSON, too large, no such endpoint). */
class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// What a handler receives and returns, typed from the contract.

type EndpointOf<K extends EndpointId> = Extract<(typeof ENDPOINTS)[number], { id: K }>;
type BodyOf<E> = E extends { body: infer B extends z.ZodType } ? z.output<B> : undefined;
type ResponseOf<E> = E extends { response: infer R extends z.ZodType } ? z.input<R> : never;

export interface ApiCall<Body = unknown> {
  /** Path parameters by name ({showId}, {bookingId}), as sent: the domain reads a malformed id as "no such". */
  params: Record<string, string>;
  /** The body, parsed with the endpoint's schema (strict: unknown fields were refused). */
  body: Body;
  /** The body as it came, for domain functions that parse it themselves with the same schema. */
  rawBody: unknown;
  /** The query string, one value per name. */
  query: Record<string, string>;
  headers: IncomingMessage["headers"];
  /** The caller's user id, from a verified token; null only on endpoints where a token is optional. */
  userId: string | null;
  /** The token's session (what log-out ends); null when no token came. */
  sessionId: string | null;
  /** The caller, read fresh from the database, on admin endpoints (the role is never taken from the token). */
  actor: PublicUser | null;
  /** The client's address (TRUST_PROXY considered), worked out only when asked for. */
  clientAddress(): string;
  services: AppServices;
  now: Date;
  /** For a change about to be sent: false if this request was answered already or its client left (request-fate.ts). */
  claim: () => boolean;
}

export type ApiHandlers = {
  [K in EndpointId]: (call: ApiCall<BodyOf<EndpointOf<K>>>) => Promise<ResponseOf<EndpointOf<K>>>;
};

/** The caller's id on an endpoint that requires a token (the router has already refused calls without one). */
export function callerId(call: Pick<ApiCall, "userId">): string {
  if (call.userId === null) throw new Unauthenticated("This needs a token");
  return call.userId;
}

/** The admin (or door staff) making the call (the router has already checked the role). */
export function callerActor(call: Pick<ApiCall, "actor">): PublicUser {
  if (call.actor === null) throw new Forbidden("Only administrators can do this.");
  return call.actor;
}

// ---------------------------------------------------------------------------------------------
// Routing: each contract path becomes a pattern; a known path with another method is a 405.

interface Route {
  endpoint: Endpoint;
  pattern: RegExp;
  names: string[];
}

function compileRoutes(endpoints: readonly Endpoint[]): Route[] {
  return endpoints.map((endpoint) => {
    const names: string[] = [];
    const source = endpoint.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return "([^/]+)";
    });
    return { endpoint, pattern: new RegExp(`^${source}/?$`), names };
  });
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;
const CHALLENGE = 'Bearer realm="holdfast"';

const CORS_HEADERS = {
  // Tokens, never cookies: any site may call the API on behalf of a user who gave it a token.
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "Retry-After, WWW-Authenticate",
};

export interface ApiRouterOptions {
  services: AppServices;
  /** Headers every answer carries (http/security-headers.server.ts). */
  headers?: Record<string, string>;
  handlers: ApiHandlers;
  /** Extra GET answers under /api/v1 that are not endpoints of the contract (the OpenAPI document). */
  documents?: Record<string, () => unknown>;
  clientAddress: (req: IncomingMessage) => string;
}

/** A Node request handler for everything under /api/v1 (mount it at the root; it answers only its own paths). */
export function createApiRouter(options: ApiRouterOptions) {
  const { services, handlers } = options;
  const routes = compileRoutes(ENDPOINTS);
  const handlerOf = handlers as unknown as Record<string, (call: ApiCall) => Promise<unknown>>;

  type Caller = { userId: string | null; sessionId: string | null; actor: PublicUser | null };
  const ANONYMOUS: Caller = { userId: null, sessionId: null, actor: null };

  async function authenticate(req: IncomingMessage, endpoint: Endpoint): Promise<Caller> {
    if (endpoint.auth === "none") return ANONYMOUS;
    const header = req.headers.authorization;
    if (header === undefined) {
      if (endpoint.auth === "optional") return ANONYMOUS;
      throw new Unauthenticated("Send a token as `Authorization: Bearer <token>` (POST /api/v1/auth/token gives one)");
    }
    const match = BEARER.exec(header);
    if (!match) throw new Unauthenticated("The Authorization header must be `Bearer <token>`");
    const { userId, sessionId } = await services.tokens.verify(match[1]);
    if (!(await services.sessionChecks.isLive(sessionId))) {
      throw new Unauthenticated("This token's session has ended (a log-out everywhere, or a new password): ask for a new token");
    }
    if (endpoint.auth !== "admin" && endpoint.auth !== "door") return { userId, sessionId, actor: null };
    const actor = (await findUserById(services.db, userId)) ?? null;
    if (!actor) throw new Unauthenticated("The token's account no longer exists");
    if (endpoint.auth === "admin" && !isAdmin(actor.role)) throw new Forbidden("Only administrators can do this.");
    if (endpoint.auth === "door" && !mayCheckIn(actor.role)) throw new Forbidden("Only door staff and administrators can do this.");
    return { userId, sessionId, actor };
  }

  async function readJson(req: IncomingMessage): Promise<unknown> {
    const type = req.headers["content-type"];
    if (!type || !JSON_TYPE.test(type)) {
      throw new HttpRefusal(415, "unsupported_media_type", "Send the body as JSON, with `Content-Type: application/json`");
    }
    let bytes: Buffer;
    try {
      bytes = await readBody(req, API_MAX_BODY_BYTES);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      // The rest of the body is not worth reading: say so and close.
      throw new HttpRefusal(413, "payload_too_large", `The body must be at most ${API_MAX_BODY_BYTES / 1024} KB`, { Connection: "close" });
    }
    const text = bytes.toString("utf8");
    if (text.trim() === "") throw new HttpRefusal(400, "invalid_json", "The body is empty: send a JSON object");
    try {
      return JSON.parse(text);
    } catch {
      throw new HttpRefusal(400, "invalid_json", "The body is not valid JSON");
    }
  }

  function parseWith(schema: z.ZodType | undefined, input: unknown): unknown {
    if (!schema) return undefined;
    const result = schema.safeParse(input);
    if (!result.success) throw new ValidationFailed(fieldErrorsOf(result.error));
    return result.data;
  }

  async function answer(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    if (res.headersSent) return; // the 503 watchdog answered already (http.server.ts)
    let payload: Buffer | string = JSON.stringify(body);
    const out: Record<string, string | number> = {
      ...options.headers,
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      ...CORS_HEADERS,
      ...headers,
    };
    if (payload.length >= GZIP_MIN_BYTES) {
      out.Vary = "Accept-Encoding";
      if (/\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) {
        payload = await gzipAsync(payload);
        out["Content-Encoding"] = "gzip";
      }
    }
    out["Content-Length"] = Buffer.byteLength(payload);
    res.writeHead(status, out);
    res.end(payload);
  }

  function refusalOf(error: unknown, req: IncomingMessage): { status: number; body: ApiErrorBody; headers: Record<string, string> } | null {
    if (error instanceof HttpRefusal)
      return { status: error.status, body: apiErrorBody(error.code, error.message), headers: error.headers };
    if (isDatabaseUnavailable(error)) {
      return {
        status: 503,
        body: apiServerErrorBody("unavailable", unavailableMessageOf(error), requestIdOf(req)),
        headers: { "Retry-After": String(RETRY_AFTER_SECONDS) },
      };
    }
    if (error instanceof DomainError) {
      const domain = error;
      const headers = headersOf(domain);
      return { status: statusOf(domain), body: apiErrorBody(domain.code, domain.message, domain.details), headers };
    }
    return null;
  }

  return async function handleApi(req: IncomingMessage, res: ServerResponse, next: () => void): Promise<void> {
    const url = req.url ?? "/";
    const queryAt = url.indexOf("?");
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    if (path !== API_PREFIX && !path.startsWith(`${API_PREFIX}/`)) return next();
    const method = req.method === "HEAD" ? "GET" : (req.method ?? "GET");
    try {
      const document = options.documents?.[path];
      if (document && method === "GET") return await answer(req, res, 200, document(), { "Cache-Control": "public, max-age=300" });

      let route: Route | undefined;
      let match: RegExpExecArray | null = null;
      const allowed: string[] = [];
      for (const candidate of routes) {
        const found = candidate.pattern.exec(path);
        if (!found) continue;
        allowed.push(candidate.endpoint.method);
        if (candidate.endpoint.method === method) {
          route = candidate;
          match = found;
          break;
        }
      }
      if (req.method === "OPTIONS" && allowed.length > 0) {
        // A browser's preflight for a cross-origin call with a token.
        res.writeHead(204, {
          ...CORS_HEADERS,
          "Access-Control-Allow-Methods": allowed.join(", "),
          "Access-Control-Allow-Headers": "Authorization, Content-Type, Idempotency-Key",
          "Access-Control-Max-Age": "600",
        });
        res.end();
        return;
      }
      if (!route || !match) {
        if (allowed.length === 0) throw new HttpRefusal(404, "not_found", `There is no ${path} in the API: see ${API_PREFIX}/openapi.json`);
        throw new HttpRefusal(405, "method_not_allowed", `${path} answers ${allowed.join(", ")}, not ${req.method}`, {
          Allow: allowed.join(", "),
        });
      }
      const { endpoint } = route;
      const params: Record<string, string> = {};
      for (const [i, name] of route.names.entries()) {
        try {
          params[name] = decodeURIComponent(match[i + 1]);
        } catch {
          params[name] = match[i + 1];
        }
      }
      const caller = await authenticate(req, endpoint);
      const rawBody = endpoint.body ? await readJson(req) : undefined;
      const query = queryAt === -1 ? {} : Object.fromEntries(new URLSearchParams(url.slice(queryAt + 1)));
      const body = parseWith(endpoint.body, rawBody);
      if (endpoint.query) parseWith(endpoint.query, query);
      const result = await handlerOf[endpoint.id]({
        params,
        body,
        rawBody,
        query,
        headers: req.headers,
        claim: fateOf(req).claim,
        ...caller,
        clientAddress: () => options.clientAddress(req),
        services,
        now: new Date(),
      });
      await answer(req, res, endpoint.status, result);
    } catch (error) {
      const refusal = refusalOf(error, req);
      if (refusal) {
        // RFC 6750: a request without credentials gets the bare challenge; a bad token is named as such.
        if (refusal.status === 401)
          refusal.headers["WWW-Authenticate"] = req.headers.authorization ? `${CHALLENGE}, error="invalid_token"` : CHALLENGE;
        return await answer(req, res, refusal.status, refusal.body, refusal.headers);
      }
      services.log.error(`unhandled ${req.method} ${path}`, error, { reqId: requestIdOf(req) });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      await answer(
        req,
        res,
        500,
        apiServerErrorBody("internal_error", "Something went wrong on our side; please try again", requestIdOf(req)),
      );
    }
  };
}
