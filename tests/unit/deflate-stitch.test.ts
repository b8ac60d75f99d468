import { randomBytes } from "node:crypto";
import { inflateSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { adler32, adler32Combine, compressSegment, stitch } from "~/seat-map/deflate-stitch.server";

describe("compressed once, stitched per response", () => {
  it("computes Adler-32 as zlib does, and combines two checksums without the data", () => {
    // Known values: RFC 1950's example and the empty input.
    expect(adler32(Buffer.from("Wikipedia"))).toBe(0x11e60398);
    expect(adler32(Buffer.alloc(0))).toBe(1);
    const a = randomBytes(70_000);
    const b = randomBytes(12_345);
    expect(adler32Combine(adler32(a), adler32(b), b.length)).toBe(adler32(Buffer.concat([a, b])));
  });

  it("stitches independently compressed parts into one stream that inflates to their concatenation", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 3000 }),
            fc.string({ maxLength: 2000 }).map((s) => Buffer.from(s.repeat(3))),
          ),
          { maxLength: 12 },
        ),
        (parts) => {
          const buffers = parts.map((p) => Buffer.from(p));
          const stream = Buffer.concat(stitch(buffers.map((b) => compressSegment(b))));
          expect(inflateSync(stream).equals(Buffer.concat(buffers))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("keeps a repetitive page small", () => {
    const row = Buffer.from('<label class="seat seat-available"><input type="checkbox" name="seat" value="1"></label>'.repeat(200));
    const segments = Array.from({ length: 20 }, () => compressSegment(row));
    const stream = Buffer.concat(stitch(segments));
    expect(stream.length).toBeLessThan((row.length * 20) / 20);
    expect(inflateSync(stream).length).toBe(row.length * 20);
  });
});
