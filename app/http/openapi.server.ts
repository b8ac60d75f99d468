/**
 * The OpenAPI 3.1 document of /api/v1, generated from contract.ts and the zod schemas it names:
 * request bodies and queries as the schemas accept them (zod's "input"), answers as the
 * handlers produce them ("output"). Nothing here is written by hand but the words around the
 * schemas, so the document cannot drift from what the API validates and sends.
 */
import { z } from "zod";
import { layoutSpecSchema, layoutVariants } from "~/domain/layouts";
import { API_ERROR_STATUS, COMMON_ERRORS, ENDPOINTS, type Endpoint, errorSchema } from "./contract";

type Json = Record<string, unknown>;
const REF = "#/components/schemas/";

const idOf = (schema: z.ZodType): string => {
  const id = z.globalRegistry.get(schema)?.id;
  if (typeof id !== "string")
    throw new Error(
      `Every schema in the contract needs a .meta({ id }): ${JSON.stringify(z.toJSONSchema(schema, { unrepresentable: "any" })).slice(0, 200)}`,
    );
  return id;
};

/**
 * One schema and every schema with an id inside it, as JSON Schema 2020-12 (OpenAPI 3.1's
 * dialect) for one direction, with references pointing into the document's components. Each
 * schema is converted from its own objects (never by listing zod's global registry, which may
 * also hold another copy of the same modules, such as a server build loaded beside them).
 */
function convert(schema: z.ZodType, io: "input" | "output"): Record<string, Json> {
  const json = z.toJSONSchema(schema, {
    io,
    target: "draft-2020-12",
    unrepresentable: ({ zodSchema }) => {
      // A Date is only ever passed in by our own code (a form's parsed value), never in JSON.
      if (zodSchema._zod.def.type === "date") return { not: {} };
      // What a request's transform makes is never sent; the one such value an answer carries, the
      // layout, is described as the request's (see components below).
      if (io === "output" && zodSchema._zod.def.type === "transform") return "any";
      return "throw";
    },
    override: ({ zodSchema, jsonSchema }) => {
      // The layout is checked by the variant its kind names (layouts.ts); describe the variants.
      if (zodSchema === layoutSpecSchema) {
        jsonSchema.oneOf = layoutVariants.map((variant) => ({ $ref: `#/$defs/${idOf(variant)}` }));
        jsonSchema.description = "The seat map's shape, one of four kinds; an answer gives back what the show was created with";
      }
    },
  }) as Json;
  const { $defs = {}, ...root } = json as { $defs?: Record<string, Json> } & Json;
  const out: Record<string, Json> = { ...$defs };
  if (!out[idOf(schema)]) out[idOf(schema)] = root;
  const pointed = JSON.parse(JSON.stringify(out).replaceAll('"#/$defs/', `"${REF}`)) as Record<string, Json>;
  return Object.fromEntries(Object.entries(pointed).map(([id, s]) => [id, tidy(s) as Json]));
}

const SAFE_MIN = Number.MIN_SAFE_INTEGER;
const SAFE_MAX = Number.MAX_SAFE_INTEGER;

/** Drops what says nothing: zod's ±2^53 bounds on every integer, the never-matching Date branch, per-schema $id/$schema. */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (node === null || typeof node !== "object") return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    if (key === "$schema" || key === "$id") continue;
    if (key === "minimum" && value === SAFE_MIN) continue;
    if (key === "maximum" && value === SAFE_MAX) continue;
    out[key] = tidy(value);
  }
  if (Array.isArray(out.anyOf)) {
    const branches = (out.anyOf as Json[]).filter((b) => !(Object.keys(b).length === 1 && JSON.stringify(b.not) === "{}"));
    if (branches.length === 1) {
      delete out.anyOf;
      Object.assign(out, branches[0]);
    } else out.anyOf = branches;
  }
  return out;
}

/** The document's components: requests as they are accepted, answers as they are sent. */
function components(requests: z.ZodType[], responses: z.ZodType[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  const add = (schemas: Record<string, Json>) => {
    for (const [id, schema] of Object.entries(schemas)) {
      if (out[id] && JSON.stringify(out[id]) !== JSON.stringify(schema)) {
        throw new Error(`${id} reads differently in two places (a request and an answer?): give one of them its own id`);
      }
      out[id] = schema;
    }
  };
  for (const schema of [...requests, ...layoutVariants]) add(convert(schema, "input"));
  // A layout is sent back as it was accepted: the answers refer to the request's layout schemas.
  for (const schema of responses) {
    const converted = convert(schema, "output");
    for (const id of [layoutSpecSchema, ...layoutVariants].map(idOf)) delete converted[id];
    add(converted);
  }
  return out;
}

/**
 * Request schemas as JSON Schema, the same conversion the document uses, references pointing at
 * `#/components/schemas/…` of the result: what the fuzz test generates its inputs from, for page
 * forms as for API bodies.
 */
export const requestJsonSchemas = (schemas: z.ZodType[]): Record<string, Json> => components(schemas, []);

const TAGS: Record<string, string> = { auth: "Accounts", shows: "Shows", bookings: "Bookings", admin: "Admin" };
const tagOf = (path: string) => TAGS[path.split("/")[3]] ?? "Shows";

const ERROR_WORDS: Record<number, string> = {
  400: "The request breaks a rule: `details.fields` names each field",
  401: "No token, or a token that is malformed, expired or signed with another key",
  402: "The card was declined; the hold stays until it ends",
  403: "The token's user is not an administrator",
  404: "No such thing, or not yours",
  405: "The path exists but not with this method",
  409: "The seats are taken (`details.seats` names them), or the request clashes with the booking's state",
  410: "The hold ended before it was paid for",
  413: "The body is over 64 KB",
  415: "The body is not JSON",
  422: "The Idempotency-Key was already used with a different body",
  429: "Too many attempts: wait `Retry-After` seconds",
};

/** The error codes an endpoint can answer with: its own, and those its auth and its body bring. */
export function errorsOf(endpoint: Endpoint): string[] {
  const codes = new Set<string>(endpoint.errors);
  if (endpoint.auth === "user" || endpoint.auth === "admin" || endpoint.auth === "door") codes.add("unauthenticated");
  if (endpoint.auth === "admin" || endpoint.auth === "door") codes.add("forbidden");
  if (endpoint.body) for (const code of COMMON_ERRORS) if (code !== "method_not_allowed") codes.add(code);
  return [...codes];
}

const errorRef = { $ref: `${REF}${idOf(errorSchema)}` };

function operation(endpoint: Endpoint, queryParams: Json | undefined): Json {
  const parameters: Json[] = [];
  for (const [, name] of endpoint.path.matchAll(/\{(\w+)\}/g)) {
    parameters.push({ name, in: "path", required: true, schema: { type: "string", format: "uuid" } });
  }
  if (endpoint.query && queryParams) {
    const properties = (queryParams.properties ?? {}) as Record<string, Json>;
    const required = new Set((queryParams.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries(properties)) {
      const { description, ...rest } = schema;
      parameters.push({ name, in: "query", required: required.has(name), schema: rest, ...(description ? { description } : {}) });
    }
  }
  for (const [name, header] of Object.entries(endpoint.headers ?? {})) {
    parameters.push({
      name,
      in: "header",
      required: header.required,
      description: header.description,
      schema: { type: "string", pattern: "^[A-Za-z0-9_-]{8,100}$" },
    });
  }
  const byStatus = new Map<number, string[]>();
  for (const code of errorsOf(endpoint)) {
    const status = API_ERROR_STATUS[code];
    if (status === undefined) throw new Error(`${endpoint.id} lists ${code}, which has no status`);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Json = {
    [endpoint.status]: {
      description: "Success",
      content: { "application/json": { schema: { $ref: `${REF}${idOf(endpoint.response)}` } } },
    },
  };
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[status] = {
      description: `${ERROR_WORDS[status] ?? "Refused"}. Codes: ${codes.map((c) => `\`${c}\``).join(", ")}`,
      ...(status === 429 ? { headers: { "Retry-After": { schema: { type: "integer" }, description: "Seconds to wait" } } } : {}),
      content: { "application/json": { schema: errorRef } },
    };
  }
  responses[503] = {
    description:
      "The database cannot be reached just now (`unavailable`): try again after Retry-After (a hold or payment sent again with its Idempotency-Key, or read back, shows whether it went through)",
    headers: { "Retry-After": { schema: { type: "integer" }, description: "Seconds to wait" } },
    content: { "application/json": { schema: errorRef } },
  };
  responses.default = {
    description: "Something went wrong on our side (`internal_error`)",
    content: { "application/json": { schema: errorRef } },
  };
  return {
    operationId: endpoint.id,
    summary: endpoint.summary,
    tags: [tagOf(endpoint.path)],
    security: endpoint.auth === "none" ? [] : endpoint.auth === "optional" ? [{}, { bearer: [] }] : [{ bearer: [] }],
    ...(parameters.length ? { parameters } : {}),
    ...(endpoint.body
      ? { requestBody: { required: true, content: { "application/json": { schema: { $ref: `${REF}${idOf(endpoint.body)}` } } } } }
      : {}),
    responses,
  };
}

/** The document, built once per process (it depends on nothing but code). */
export function buildOpenApiDocument(): Json {
  const endpoints: readonly Endpoint[] = ENDPOINTS;
  const requests = endpoints.flatMap((e) => [e.body, e.query].filter((s): s is z.ZodType => s !== undefined));
  const schemas = components(requests, [...endpoints.map((e) => e.response), errorSchema]);
  const paths: Record<string, Json> = {};
  for (const endpoint of endpoints) {
    const query = endpoint.query ? schemas[idOf(endpoint.query)] : undefined;
    paths[endpoint.path] = { ...paths[endpoint.path], [endpoint.method.toLowerCase()]: operation(endpoint, query) };
  }
  // Query strings are described as parameters, not as a schema of their own.
  for (const e of endpoints) if (e.query) delete schemas[idOf(e.query)];
  return {
    openapi: "3.1.0",
    info: {
      title: "Holdfast API",
      version: "1.0.0",
      description:
        "Seat-level booking: list shows, hold seats (all or none), pay, release. Send `Authorization: Bearer <token>` " +
        'from POST /api/v1/auth/token. Every error is `{"error": {"code", "message", "details"?}}`.',
    },
    servers: [{ url: "/" }],
    tags: Object.values(TAGS).map((name) => ({ name })),
    paths,
    components: {
      schemas,
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    },
  };
}
