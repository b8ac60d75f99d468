/**
 * The fuzz test (issue 10): every form and every API endpoint, driven over HTTP with generated
 * input — values made from the zod schemas (their JSON Schema, as in the OpenAPI document), then
 * broken with hostile ones: huge, control characters, bidi and zero-width, bytes that are not
 * UTF-8, the wrong types, fields nobody asked for, required ones missing, odd content types.
 *
 * The rules, checked on every input:
 * - never a 5xx;
 * - a refused request (4xx, or a redirect to log in) changes nothing in the database: a digest of
 *   every row of every table is the same before and after;
 * - only an accepted request (2xx, or a 3xx on a path that accepts) may change anything; the
 *   generator rarely makes one, and the count is printed.
 *
 * FUZZ_RUNS sets the inputs per target (default 30); a failure prints fast-check's seed and path
 * to replay it.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { users } from "~/db/schema";
import { confirmBooking } from "~/domain/bookings.server";
import { placeHold } from "~/domain/holds.server";
import { TEST_CARDS } from "~/domain/payments";
import {
  adminSeatsSchema,
  checkInSchema,
  confirmRequestSchema,
  holdRequestSchema,
  loginSchema,
  passwordChangeSchema,
  roleSchema,
  showEditSchema,
  showInputSchema,
  signupSchema,
} from "~/domain/schemas";
import { webhookInputSchema } from "~/domain/webhooks.server";
import { ENDPOINTS } from "~/http/contract";
import { requestJsonSchemas } from "~/http/openapi.server";
import { apiUser, Contract } from "../support/api";
import { FIXTURE_PASSWORD, makeShow, seatIdsByLabel } from "../support/factories";
import {
  arbitraryOf,
  broken,
  databaseFingerprint,
  encodeAny,
  formBody,
  formFields,
  hostile,
  InvalidUtf8,
  jsonBody,
  queryString,
} from "../support/fuzz";
import { TestClient } from "../support/http";
import { serverEnv, useServer } from "../support/server";
import { useTestDatabase } from "../support/test-database";

const t = useTestDatabase();
const server = useServer(() => serverEnv(t.url, { AUTH_RATE_LIMIT_PER_MINUTE: "0", SWEEP_INTERVAL_SECONDS: "86400" }));
const RUNS = Number(process.env.FUZZ_RUNS ?? 30);

type Json = Record<string, unknown>;

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
}

/** Who is asking: cookies for pages, tokens for the API. Filled in beforeAll. */
const world = {
  buyerCookie: "",
  adminCookie: "",
  doorCookie: "",
  buyerToken: "",
  adminToken: "",
  showId: "",
  heldBookingId: "",
  paidBookingId: "",
};

/** A tally per target, printed at the end. */
const tally = new Map<string, { tried: number; refused: number; accepted: number; refusedByNode: number }>();

beforeAll(async () => {
  const buyer = await apiUser(t.db);
  const admin = await apiUser(t.db, "ADMIN");
  const door = await apiUser(t.db, "DOOR");
  world.buyerToken = buyer.token;
  world.adminToken = admin.token;
  for (const [who, email] of [
    ["buyerCookie", buyer.email],
    ["adminCookie", admin.email],
    ["doorCookie", door.email],
  ] as const) {
    const client = new TestClient(server.url);
    expect((await client.post("/login", { email, password: FIXTURE_PASSWORD })).status).toBe(302);
    world[who] = client.cookieHeader;
  }
  const show = await makeShow(t.db, { layout: { kind: "THEATRE", rows: 4, seatsPerRow: 10, aisleAfter: [] } });
  world.showId = show.id;
  const ids = await seatIdsByLabel(t.db, show.id);
  world.heldBookingId = (await placeHold(t.db, { userId: buyer.id, showId: show.id, seatIds: [ids.D9] })).booking.id;
  const paid = await placeHold(t.db, { userId: buyer.id, showId: show.id, seatIds: [ids.D10] });
  await confirmBooking(t.db, { userId: buyer.id, bookingId: paid.booking.id, idempotencyKey: "fuzz-setup-1", card: TEST_CARDS.approve });
  world.paidBookingId = paid.booking.id;
  expect((await t.db.select().from(users)).length).toBeGreaterThanOrEqual(2);
});

afterAll(() => {
  const rows = [...tally].map(
    ([target, n]) =>
      `  ${target.padEnd(44)} ${String(n.tried).padStart(5)} tried ${String(n.refused).padStart(5)} refused ${String(n.accepted).padStart(4)} accepted`,
  );
  const total = [...tally.values()].reduce((sum, n) => sum + n.tried, 0);
  console.log(`fuzz: ${total} inputs over ${tally.size} targets, never a 5xx, no refused input changed the database\n${rows.join("\n")}`);
});

// ---------------------------------------------------------------------------------------------
// Pieces of a request.

/** A path segment: a real id (when the target may use one), a random uuid, or something hostile. */
function segment(real?: () => string): fc.Arbitrary<string> {
  const other = fc.oneof(
    fc.uuid(),
    hostile.map((v) => {
      const text = v instanceof InvalidUtf8 ? v : typeof v === "string" ? v : (JSON.stringify(v) ?? "x");
      return text instanceof InvalidUtf8
        ? [...text.bytes].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("")
        : encodeAny(text.slice(0, 4000)) || "%20";
    }),
  );
  return real ? fc.oneof({ arbitrary: fc.constant(0).map(real), weight: 3 }, { arbitrary: other, weight: 2 }) : other;
}

const FORM_TYPE = "application/x-www-form-urlencoded";
/** Mostly a form's own content type; sometimes another, or none. */
const formType = fc.oneof(
  { arbitrary: fc.constant(FORM_TYPE), weight: 12 },
  fc.constantFrom("multipart/form-data; boundary=fuzz", "multipart/form-data", "text/plain", "application/json", ""),
);

const who = {
  anonymous: () => "",
  buyer: () => world.buyerCookie,
  admin: () => world.adminCookie,
  door: () => world.doorCookie,
};

/** Values for a zod schema, made from its JSON Schema (the conversion the OpenAPI document uses). */
function schemaArbitrary(schema: z.ZodType) {
  const components = requestJsonSchemas([schema]);
  return arbitraryOf(components[z.globalRegistry.get(schema)?.id as string], components);
}

interface FormTarget {
  name: string;
  path: fc.Arbitrary<string>;
  cookie: fc.Arbitrary<string>;
  fields: fc.Arbitrary<Array<[string, string | InvalidUtf8]>>;
}

const withIntent = (intent: fc.Arbitrary<unknown>, value: fc.Arbitrary<unknown>, repeat: Record<string, string> = {}) =>
  fc
    .tuple(intent, value)
    .map(([i, v]) => [
      ["intent", typeof i === "string" || i instanceof InvalidUtf8 ? i : JSON.stringify(i)] as [string, string | InvalidUtf8],
      ...formFields(v, repeat),
    ]);

const intentOf = (...names: string[]) => fc.oneof({ arbitrary: fc.constantFrom(...names), weight: 6 }, hostile);
const someone = (...cookies: Array<() => string>) => fc.constantFrom(...cookies).map((c) => c());

const FORMS: FormTarget[] = [
  {
    name: "POST /signup",
    path: fc.constant("/signup"),
    cookie: fc.constant(""),
    fields: broken(schemaArbitrary(signupSchema)).map((v) => formFields(v)),
  },
  {
    name: "POST /login",
    path: fc.constant("/login"),
    cookie: fc.constant(""),
    fields: fc.tuple(broken(schemaArbitrary(loginSchema)), hostile).map(([v, to]) => [...formFields(v), ...formFields({ redirectTo: to })]),
  },
  {
    name: "POST /logout (no session)",
    path: fc.constant("/logout"),
    cookie: fc.constant(""),
    fields: broken(fc.object({ maxDepth: 1 })).map((v) => formFields(v)),
  },
  {
    name: "POST /account",
    path: fc.constant("/account"),
    cookie: someone(who.buyer, who.anonymous),
    fields: withIntent(intentOf("password"), broken(schemaArbitrary(passwordChangeSchema))),
  },
  {
    name: "POST /shows/:showId (hold)",
    path: segment(() => world.showId).map((id) => `/shows/${id}`),
    cookie: someone(who.buyer, who.anonymous),
    fields: withIntent(intentOf("hold"), broken(schemaArbitrary(holdRequestSchema)), { seatIds: "seat" }),
  },
  {
    name: "POST /bookings/:bookingId (pay)",
    path: segment(() => world.heldBookingId).map((id) => `/bookings/${id}`),
    cookie: someone(who.buyer, who.anonymous, who.admin),
    fields: withIntent(intentOf("pay"), broken(schemaArbitrary(confirmRequestSchema))),
  },
  {
    name: "POST /bookings/:bookingId (release, cancel)",
    path: segment().map((id) => `/bookings/${id}`),
    cookie: someone(who.buyer, who.admin),
    fields: withIntent(intentOf("release", "cancel"), broken(fc.object({ maxDepth: 1 }))),
  },
  {
    name: "POST /admin/shows/new",
    path: fc.constant("/admin/shows/new"),
    cookie: someone(who.admin, who.buyer, who.anonymous),
    fields: withIntent(intentOf("create", "preview", "add-zone", "add-section"), broken(schemaArbitrary(showInputSchema))),
  },
  {
    name: "POST /admin/shows/:showId/edit",
    path: segment(() => world.showId).map((id) => `/admin/shows/${id}/edit`),
    cookie: someone(who.admin, who.buyer),
    fields: broken(schemaArbitrary(showEditSchema)).map((v) => formFields(v)),
  },
  {
    name: "POST /admin/shows/:showId (seats)",
    path: segment(() => world.showId).map((id) => `/admin/shows/${id}`),
    cookie: someone(who.admin, who.buyer),
    fields: withIntent(intentOf("block", "unblock", "release"), broken(schemaArbitrary(adminSeatsSchema)), { seatIds: "seat" }),
  },
  {
    name: "POST /admin/shows/:showId (a section's seats at once)",
    path: segment(() => world.showId).map((id) => `/admin/shows/${id}`),
    cookie: someone(who.admin, who.buyer, who.door),
    fields: withIntent(intentOf("block-section", "unblock-section", "release-section"), broken(fc.record({ section: fc.string() }))),
  },
  {
    name: "POST /admin/shows/:showId (reset, cancel, delete)",
    path: segment().map((id) => `/admin/shows/${id}`),
    cookie: someone(who.admin, who.buyer),
    fields: withIntent(intentOf("reset", "cancel", "delete"), broken(fc.object({ maxDepth: 1 }))),
  },
  {
    name: "POST /admin/shows/:showId/webhooks",
    path: segment(() => world.showId).map((id) => `/admin/shows/${id}/webhooks`),
    cookie: someone(who.admin, who.buyer, who.anonymous),
    fields: withIntent(
      intentOf("add", "remove"),
      broken(fc.tuple(schemaArbitrary(webhookInputSchema), fc.uuid()).map(([hook, webhook]) => ({ ...(hook as Json), webhook }))),
    ),
  },
  {
    name: "POST /admin/bookings/:bookingId (cancel, move, resend)",
    path: segment(() => world.paidBookingId).map((id) => `/admin/bookings/${id}`),
    cookie: someone(who.admin, who.buyer, who.door),
    fields: withIntent(
      intentOf("cancel", "move", "resend"),
      broken(
        fc.record(
          {
            seat: fc.array(fc.integer({ min: -2, max: 2 ** 40 }), { maxLength: 4 }),
            to: fc.string(),
            requestKey: fc.string(),
            reason: fc.string(),
          },
          { requiredKeys: [] },
        ),
      ),
      { seat: "seat" },
    ),
  },
  {
    name: "POST /door/:showId (check in)",
    path: segment(() => world.showId).map((id) => `/door/${id}`),
    cookie: someone(who.door, who.admin, who.buyer, who.anonymous),
    fields: broken(schemaArbitrary(checkInSchema)).map((v) => formFields(v)),
  },
  {
    name: "POST /admin/users",
    path: fc.constant("/admin/users"),
    cookie: someone(who.admin, who.buyer),
    fields: broken(fc.tuple(fc.uuid(), schemaArbitrary(roleSchema)).map(([userId, role]) => ({ userId, ...(role as Json) }))).map((v) =>
      formFields(v),
    ),
  },
];

function formRequest(target: FormTarget): fc.Arbitrary<Sent> {
  return fc
    .record({ path: target.path, cookie: target.cookie, fields: target.fields, type: formType })
    .map(({ path, cookie, fields, type }) => ({
      method: "POST",
      path,
      headers: { ...(type ? { "Content-Type": type } : {}), ...(cookie ? { Cookie: cookie } : {}) },
      body: formBody(fields),
    }));
}

// ---------------------------------------------------------------------------------------------
// The API: every endpoint of the contract, its body and query from the served document.

/** Endpoints whose success would end the world the rest relies on: they get only ids that are not real. */
const DESTRUCTIVE = new Set(["release", "resetShow", "revokeToken"]);

function apiRequest(endpointId: string, document: Json): fc.Arbitrary<Sent> {
  const endpoint = ENDPOINTS.find((e) => e.id === endpointId)!;
  const components = (document.components as { schemas: Record<string, Json> }).schemas;
  const operation = (document.paths as Record<string, Record<string, Json>>)[endpoint.path][endpoint.method.toLowerCase()];
  const bodySchema = (operation.requestBody as { content: Record<string, { schema: Json }> } | undefined)?.content["application/json"]
    .schema;
  const queryParams = ((operation.parameters as Json[] | undefined) ?? []).filter((p) => p.in === "query");
  const destructive = DESTRUCTIVE.has(endpoint.id);
  const realOf: Record<string, () => string> = {
    showId: () => world.showId,
    bookingId: () => (endpoint.id === "confirm" ? world.heldBookingId : world.paidBookingId),
  };
  const names = [...endpoint.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  const path = fc
    .tuple(...names.map((name) => segment(destructive ? undefined : realOf[name])))
    .map((values) => names.reduce((p, name, i) => p.replace(`{${name}}`, values[i]), endpoint.path));
  const query = queryParams.length
    ? broken(
        fc.record(Object.fromEntries(queryParams.map((p) => [p.name as string, arbitraryOf(p.schema as Json, components)])), {
          requiredKeys: [],
        }),
      ).map((q) => (q === null || typeof q !== "object" ? queryString({ value: q }) : queryString(q)))
    : fc.constant("");
  const token =
    endpoint.auth === "none"
      ? fc.constant("")
      : destructive
        ? fc.constantFrom("", "garbage", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
        : fc.oneof(
            {
              arbitrary: fc
                .constant(0)
                .map(() => (endpoint.auth === "admin" || endpoint.auth === "door" ? world.adminToken : world.buyerToken)),
              weight: 6,
            },
            fc.constant(0).map(() => world.buyerToken),
            fc.constantFrom("", "garbage", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."),
          );
  const body = bodySchema ? broken(arbitraryOf(bodySchema, components)).map((v) => jsonBody(v)) : fc.constant(undefined);
  const type = fc.oneof(
    { arbitrary: fc.constant("application/json"), weight: 10 },
    fc.constantFrom("application/json; charset=latin1", FORM_TYPE, "text/plain", ""),
  );
  const idempotencyKey = fc.oneof(fc.constantFrom("fuzz-key-0001", ""), fc.stringMatching(/^[ -~]{0,120}$/));
  return fc.record({ path, query, token, body, type, idempotencyKey }).map(({ path, query, token, body, type, idempotencyKey }) => ({
    method: endpoint.method,
    path: query ? `${path}?${query}` : path,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined && type ? { "Content-Type": type } : {}),
      ...(endpoint.id === "confirm" && idempotencyKey ? { "Idempotency-Key": idempotencyKey } : {}),
    },
    body,
  }));
}

// ---------------------------------------------------------------------------------------------

async function send(request: Sent): Promise<{ status: number; location: string | null; text: string; headers: Headers }> {
  const response = await fetch(new URL(request.path, server.url), {
    method: request.method,
    headers: request.headers,
    body: typeof request.body === "string" || request.body === undefined ? request.body : new Uint8Array(request.body),
    redirect: "manual",
  });
  return { status: response.status, location: response.headers.get("location"), text: await response.text(), headers: response.headers };
}

const show = (request: Sent) =>
  `${request.method} ${request.path.slice(0, 300)} ${JSON.stringify(request.headers).slice(0, 300)} ${String(request.body ?? "").slice(0, 500)}`;

async function fuzz(name: string, requests: fc.Arbitrary<Sent>, contract?: Contract) {
  const count = { tried: 0, refused: 0, accepted: 0, refusedByNode: 0 };
  tally.set(name, count);
  await fc.assert(
    fc.asyncProperty(requests, async (request) => {
      const before = await databaseFingerprint(t.db);
      const answer = await send(request);
      const after = await databaseFingerprint(t.db);
      count.tried++;
      expect(answer.status, `${show(request)}\n→ ${answer.status} ${answer.text.slice(0, 500)}`).toBeLessThan(500);
      // An API answer, refusals included, is what the served document says it is. Only Node's own
      // parser answers without JSON, before any of our code: an address or headers too long (431).
      if (contract && !answer.text && answer.status === 431) count.refusedByNode++;
      else contract?.check(request.method, request.path, { status: answer.status, headers: answer.headers, body: JSON.parse(answer.text) });
      const refused = answer.status >= 400 || (answer.status >= 300 && /^\/login(\?|$)/.test(answer.location ?? ""));
      if (refused) {
        count.refused++;
        expect(after, `a refused request changed the database: ${show(request)} → ${answer.status}`).toBe(before);
      } else if (after !== before) count.accepted++;
    }),
    { numRuns: RUNS },
  );
}

describe("every form, without JavaScript", () => {
  for (const target of FORMS) {
    it(`${target.name}: never a 5xx, refusals change nothing`, { timeout: 180_000 }, async () => {
      await fuzz(target.name, formRequest(target));
    });
  }
});

describe("every API endpoint", () => {
  let contract: Contract;
  beforeAll(async () => {
    contract = await Contract.load(server.url);
  });
  for (const endpoint of ENDPOINTS) {
    it(`${endpoint.method} ${endpoint.path}: never a 5xx, refusals change nothing`, { timeout: 180_000 }, async () => {
      await fuzz(`${endpoint.method} ${endpoint.path}`, apiRequest(endpoint.id, contract.document), contract);
    });
  }
});
