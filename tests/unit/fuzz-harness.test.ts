import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { broken, formBody, formFields, InvalidUtf8 } from "../support/fuzz";

/** Every InvalidUtf8 anywhere in a value. */
function invalidLeaves(value: unknown, out: InvalidUtf8[] = []): InvalidUtf8[] {
  if (value instanceof InvalidUtf8) out.push(value);
  else if (value !== null && typeof value === "object") for (const child of Object.values(value)) invalidLeaves(child, out);
  return out;
}

describe("the fuzz harness", () => {
  // A CI run once died in the harness, not the app: a swap at the root of an empty object left an
  // InvalidUtf8 there, and the "drop a field" step then deleted its bytes.
  it("never damages the hostile values it plants, even when one replaces the whole value", () => {
    fc.assert(
      fc.property(broken(fc.oneof(fc.constant({}), fc.object({ maxDepth: 1 }))), (value) => {
        for (const leaf of invalidLeaves(value)) expect(Buffer.isBuffer(leaf.bytes)).toBe(true);
        expect(typeof formBody(formFields(value))).toBe("string");
      }),
      { numRuns: 400 },
    );
  });

  it("keeps an InvalidUtf8 frozen, so a harness bug that edits one fails loudly", () => {
    const bytes = new InvalidUtf8(Buffer.from([0xff]));
    expect(() => {
      delete (bytes as unknown as Record<string, unknown>).bytes;
    }).toThrow(TypeError);
    expect(formBody([["k", bytes]])).toBe("k=%FF");
  });
});
