/**
 * Generated input for the fuzz test: fast-check arbitraries made from JSON Schema (the same
 * conversion of the zod schemas that the OpenAPI document uses), hostile values to break them
 * with, and the encodings that put both on the wire (a form body, a JSON body), including bytes
 * that are not UTF-8 at all.
 */
import { sql } from "drizzle-orm";
import fc from "fast-check";
import type { Db } from "~/db/client.server";

type Json = Record<string, unknown>;
const REF = "#/components/schemas/";

/** Bytes that are not UTF-8, to be sent as they are inside a string. */
export class InvalidUtf8 {
  constructor(readonly bytes: Buffer) {
    Object.freeze(this); // shared by reference between copies: a harness bug that edits one fails loudly
  }
  toString() {
    return `<bytes ${this.bytes.toString("hex")}>`;
  }
}

const INVALID_UTF8 = [
  [0xff],
  [0xc3], // a lead byte with nothing after it
  [0xe2, 0x82], // a cut three-byte sequence
  [0xed, 0xa0, 0x80], // an encoded surrogate
  [0xc0, 0xaf], // an overlong "/"
  [0xf8, 0x88, 0x80, 0x80, 0x80], // a five-byte form
];

const HOSTILE_STRINGS = [
  "\u202Eevil\u202C", // right-to-left override
  "\u2066isolate\u2069",
  "zero\u200Bwidth",
  "\uFEFFbom",
  "nul\u0000byte",
  "\u0007\u001b[31mred",
  "\uD800", // lone surrogates
  "\uDFFFx",
  "' OR 1=1 --",
  "'; drop table users; --",
  "../../../../etc/passwd",
  "<script>alert(1)</script>",
  "%00",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as text
  "${7*7}{{7*7}}",
  "__proto__",
  "constructor",
  "1e309",
  "-0",
  "NaN",
  "Infinity",
  "0x1F",
  "9007199254740993",
  "-1",
  "0",
  " ",
  "\t\r\n",
  "null",
  "true",
  "[]",
  "{}",
  "𝕳𝖔𝖑𝖉𝖋𝖆𝖘𝖙",
  "👨‍👩‍👧‍👦",
  "\r\nSet-Cookie: admin=1",
  "//evil.example/",
];

const CONTROL = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).concat(["\u007f", "\u0085", "\u2028"]);

/** What an attacker sends instead of a well-formed value: huge, control, bidi, not UTF-8, the wrong type. */
export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 6 },
  { arbitrary: fc.string({ unit: fc.constantFrom(...CONTROL), minLength: 1, maxLength: 20 }), weight: 2 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 30 }), weight: 2 }, // any code point, surrogate halves included
  { arbitrary: fc.constantFrom(...INVALID_UTF8).map((b) => new InvalidUtf8(Buffer.from(b))), weight: 2 },
  {
    // Huge: past every field's limit, past the API's 64 KB, and just under the pages' 2 MB.
    arbitrary: fc.tuple(fc.constantFrom(1_001, 70_000, 1_500_000), fc.constantFrom("A", "é", "\u202E")).map(([n, c]) => c.repeat(n)),
    weight: 1,
  },
  { arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)), weight: 3 },
  { arbitrary: fc.oneof(fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 3 }), fc.object({ maxDepth: 1 })), weight: 2 },
  {
    arbitrary: fc.constantFrom(
      JSON.parse('{"__proto__": {"role": "ADMIN", "isAdmin": true}}'),
      JSON.parse('{"constructor": {"prototype": {"role": "ADMIN"}}}'),
      JSON.parse(`${"[".repeat(200)}${"]".repeat(200)}`),
    ),
    weight: 1,
  },
);

/** An arbitrary for values a JSON Schema node accepts (more or less: patterns and formats are honoured where fast-check can). */
export function arbitraryOf(node: Json, components: Record<string, Json>, depth = 0): fc.Arbitrary<unknown> {
  if (typeof node.$ref === "string") return arbitraryOf(components[node.$ref.slice(REF.length)], components, depth + 1);
  if (node.const !== undefined) return fc.constant(node.const);
  if (Array.isArray(node.enum)) return fc.constantFrom(...node.enum);
  const union = (node.oneOf ?? node.anyOf) as Json[] | undefined;
  if (union)
    return fc.oneof(
      ...union.map((branch) => arbitraryOf({ ...node, oneOf: undefined, anyOf: undefined, ...branch }, components, depth + 1)),
    );
  if (Array.isArray(node.type)) return fc.oneof(...node.type.map((type) => arbitraryOf({ ...node, type }, components, depth)));
  switch (node.type) {
    case "string":
      return stringOf(node);
    case "integer": {
      const min = Math.max(Number(node.minimum ?? -1e6), node.exclusiveMinimum === undefined ? -1e9 : Number(node.exclusiveMinimum) + 1);
      const max = Math.min(Number(node.maximum ?? 1e6), node.exclusiveMaximum === undefined ? 1e9 : Number(node.exclusiveMaximum) - 1);
      return fc.integer({ min, max: Math.max(min, max) });
    }
    case "number":
      return fc.double({ min: Number(node.minimum ?? -1e6), max: Number(node.maximum ?? 1e6), noNaN: true });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array": {
      const items = depth > 6 ? fc.constant(null) : arbitraryOf((node.items as Json) ?? {}, components, depth + 1);
      const minLength = Number(node.minItems ?? 0);
      return fc.array(items, { minLength, maxLength: Math.max(minLength, Math.min(Number(node.maxItems ?? 4), 4)) });
    }
    case "object": {
      const properties = (node.properties ?? {}) as Record<string, Json>;
      const model = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, arbitraryOf(v, components, depth + 1)]));
      return fc.record(model, { requiredKeys: (node.required as string[] | undefined) ?? [] });
    }
    default:
      return fc.oneof(fc.string({ maxLength: 30 }), fc.integer());
  }
}

function stringOf(node: Json): fc.Arbitrary<string> {
  const minLength = Number(node.minLength ?? 0);
  const maxLength = Math.max(minLength, Math.min(Number(node.maxLength ?? 40), 60));
  if (node.format === "email") return fc.emailAddress();
  if (node.format === "uuid") return fc.uuid();
  if (node.format === "date-time") {
    return fc
      .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
      .map((d) => d.toISOString());
  }
  if (typeof node.pattern === "string") {
    try {
      return fc.stringMatching(new RegExp(node.pattern)).filter((s) => s.length >= minLength && s.length <= maxLength);
    } catch {
      // A pattern fast-check cannot generate from (Unicode classes): plain text within the lengths.
    }
  }
  return fc.string({ unit: "grapheme", minLength, maxLength });
}

type Path = Array<string | number>;

/** A deep copy that keeps InvalidUtf8 values as they are (structuredClone would flatten them). */
function copy(value: unknown): unknown {
  if (value === null || typeof value !== "object" || value instanceof InvalidUtf8) return value;
  if (Array.isArray(value)) return value.map(copy);
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    Object.defineProperty(out, key, { value: copy(child), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function leafPaths(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  if (value !== null && typeof value === "object" && !(value instanceof InvalidUtf8)) {
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
    if (entries.length === 0) out.push(path);
    for (const [key, child] of entries) leafPaths(child, [...path, key], out);
  } else out.push(path);
  return out;
}

function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const container = root as Record<string | number, unknown>;
  container[path[0]] = setAt(container[path[0]], path.slice(1), value);
  return root;
}

/**
 * A well-formed value broken in a few places: some leaves swapped for hostile values, a field
 * nobody asked for, a required one dropped, or the whole thing replaced. Sometimes left whole:
 * a well-formed request must not fail either (it may then be accepted).
 */
export function broken(base: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const damaged = fc
    .record({
      value: base,
      swaps: fc.array(fc.tuple(fc.nat(), hostile), { maxLength: 3 }),
      extra: fc.option(
        fc.tuple(fc.oneof(fc.constantFrom("role", "userId", "isAdmin", "__proto__"), fc.string({ maxLength: 12 })), hostile),
      ),
      drop: fc.option(fc.nat()),
      whole: fc.option(hostile, { freq: 8 }),
    })
    .map(({ value, swaps, extra, drop, whole }) => {
      if (whole !== null) return copy(whole);
      let out = copy(value);
      for (const [n, replacement] of swaps) {
        const paths = leafPaths(out);
        out = setAt(out, paths[n % paths.length], copy(replacement)); // a copy: hostile constants are shared
      }
      // A swap at the root (an empty object has one leaf: itself) can leave a hostile scalar here.
      if (out !== null && typeof out === "object" && !Array.isArray(out) && !(out instanceof InvalidUtf8)) {
        const record = out as Record<string, unknown>;
        if (drop !== null) {
          const keys = Object.keys(record);
          if (keys.length) delete record[keys[drop % keys.length]];
        }
        if (extra !== null)
          Object.defineProperty(record, extra[0], { value: extra[1], enumerable: true, writable: true, configurable: true });
      }
      return out;
    });
  return fc.oneof({ arbitrary: base, weight: 1 }, { arbitrary: damaged, weight: 4 });
}

type Scalar = string | InvalidUtf8;
const scalar = (value: unknown): Scalar =>
  value instanceof InvalidUtf8
    ? value
    : typeof value === "string"
      ? value
      : value === undefined
        ? ""
        : (JSON.stringify(value) ?? String(value));

/**
 * A value as a form's fields: nested objects and arrays by dotted path (`layout.sections.0.zone`,
 * the admin show form's names), or an array under `repeat[name]` as the same name repeated (the
 * seat checkboxes). Anything that is not an object goes as one field, `value`.
 */
export function formFields(value: unknown, repeat: Record<string, string> = {}): Array<[string, Scalar]> {
  if (value === null || typeof value !== "object" || value instanceof InvalidUtf8 || Array.isArray(value))
    return [["value", scalar(value)]];
  const out: Array<[string, Scalar]> = [];
  const walk = (node: unknown, name: string) => {
    if (node !== null && typeof node === "object" && !(node instanceof InvalidUtf8)) {
      const entries = Array.isArray(node) ? node.map((v, i) => [String(i), v] as const) : Object.entries(node);
      for (const [key, child] of entries) walk(child, `${name}.${key}`);
    } else out.push([name, scalar(node)]);
  };
  for (const [key, child] of Object.entries(value)) {
    if (Object.hasOwn(repeat, key) && Array.isArray(child)) for (const item of child) out.push([repeat[key], scalar(item)]);
    else walk(child, key);
  }
  return out;
}

const hex = (bytes: Iterable<number>) => [...bytes].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join("");

/** Percent-encodes anything, lone surrogates too (as the three bytes WTF-8 gives them: not UTF-8, on purpose). */
export function encodeAny(text: string): string {
  let out = "";
  for (const char of text) {
    const unit = char.charCodeAt(0);
    out +=
      char.length === 1 && unit >= 0xd800 && unit <= 0xdfff
        ? hex([0xed, 0xa0 | ((unit >> 6) & 0x0f), 0x80 | (unit & 0x3f)])
        : encodeURIComponent(char);
  }
  return out;
}

const percent = (part: Scalar) => (part instanceof InvalidUtf8 ? hex(part.bytes) : encodeAny(part));

/** An application/x-www-form-urlencoded body; bytes that are not UTF-8 go percent-encoded as they are. */
export const formBody = (fields: Array<[string, Scalar]>) => fields.map(([k, v]) => `${encodeAny(k)}=${percent(v)}`).join("&");

/** A query string the same way. */
export const queryString = (value: unknown) => formBody(formFields(value));

/** A JSON body; InvalidUtf8 values go inside their string as raw bytes (which makes the body not UTF-8). */
export function jsonBody(value: unknown): Buffer {
  const raw: Buffer[] = [];
  const text =
    JSON.stringify(value, (_key, v) => {
      if (v instanceof InvalidUtf8) {
        raw.push(v.bytes);
        return `@@RAW${raw.length - 1}@@`;
      }
      return typeof v === "bigint" ? String(v) : v;
    }) ?? "null";
  const parts = text.split(/@@RAW(\d+)@@/);
  return Buffer.concat(parts.map((part, i) => (i % 2 ? raw[Number(part)] : Buffer.from(part, "utf8"))));
}

/**
 * What the server's background event work writes, from changes made before (app/events/): the
 * relay marks outbox rows, consumers record what they handled and count sales, the announcer
 * sends and deletes seat news, the e-mail consumer lists what it sent. A request's own changes show in the tables these follow
 * (audit_log, whose trigger writes the outbox rows; seats, whose trigger writes the news).
 */
const BACKGROUND_TABLES = [
  "outbox",
  "event_deliveries",
  "consumed_events",
  "sales_per_minute",
  "webhook_deliveries",
  "seat_news",
  "sent_emails",
];

/** A digest of every row of every table a request writes: equal before and after means the request changed nothing. */
export async function databaseFingerprint(db: Db): Promise<string> {
  const all = await db.execute<{ name: string }>(
    sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  );
  const tables = all.filter(({ name }) => !BACKGROUND_TABLES.includes(name));
  const parts = tables.map(
    ({ name }) =>
      sql`select ${name} as t, md5(coalesce(string_agg(r::text, '|' order by r::text), '')) as h from ${sql.identifier(name)} r`,
  );
  const rows = await db.execute<{ t: string; h: string }>(sql.join(parts, sql` union all `));
  return rows.map((r) => `${r.t}:${r.h}`).join(",");
}
