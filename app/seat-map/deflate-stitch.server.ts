/**
 * Compress once, send many times. A big page (a seat map of thousands of seats) is mostly parts
 * that do not change between requests: each part is compressed once, on its own, as raw deflate
 * ending in a sync flush, and a response is those parts laid end to end inside one zlib stream
 * (`Content-Encoding: deflate`): a two-byte header, the parts, an empty final block, and the
 * Adler-32 of everything, combined from the parts' own checksums without reading them again.
 * Raw deflate blocks may follow one another freely, and no part refers back past its own start,
 * so the result is one valid stream (the technique of zlib's gzjoin). Only the few parts that
 * change per request are compressed per request.
 */
import { constants, deflateRawSync } from "node:zlib";

export interface Segment {
  raw: Buffer;
  deflated: Buffer;
  adler: number;
}

const BASE = 65521;

/** Adler-32 (RFC 1950) of `data`; zlib has it, Node does not expose it. */
export function adler32(data: Uint8Array, start = 1): number {
  let a = start & 0xffff;
  let b = (start >>> 16) & 0xffff;
  const n = data.length;
  let i = 0;
  while (i < n) {
    // 5552 bytes is the most that can be summed before b may pass 2^32 (zlib's NMAX).
    const end = Math.min(i + 5552, n);
    for (; i < end; i++) {
      a += data[i];
      b += a;
    }
    a %= BASE;
    b %= BASE;
  }
  return ((b << 16) | a) >>> 0;
}

/** The Adler-32 of A followed by B, from adler(A), adler(B) and B's length (zlib's adler32_combine). */
export function adler32Combine(adler1: number, adler2: number, length2: number): number {
  const rem = length2 % BASE;
  let sum1 = adler1 & 0xffff;
  let sum2 = (rem * sum1) % BASE;
  sum1 += (adler2 & 0xffff) + BASE - 1;
  sum2 += ((adler1 >>> 16) & 0xffff) + ((adler2 >>> 16) & 0xffff) + BASE - rem;
  if (sum1 >= BASE) sum1 -= BASE;
  if (sum1 >= BASE) sum1 -= BASE;
  if (sum2 >= BASE << 1) sum2 -= BASE << 1;
  if (sum2 >= BASE) sum2 -= BASE;
  return ((sum2 << 16) | sum1) >>> 0;
}

/**
 * A part of a page whose compressed form and checksum are worked out the first time a response
 * needs them, then kept with it: a client that takes no compression never pays for them.
 */
export class LazySegment implements Segment {
  #deflated?: Buffer;
  #adler?: number;
  constructor(readonly raw: Buffer) {}
  get deflated(): Buffer {
    this.#deflated ??= deflateRawSync(this.raw, { level: 6, finishFlush: constants.Z_SYNC_FLUSH });
    return this.#deflated;
  }
  get adler(): number {
    this.#adler ??= adler32(this.raw);
    return this.#adler;
  }
}

export function compressSegment(raw: Buffer): Segment {
  return new LazySegment(raw);
}

const ZLIB_HEADER = Buffer.from([0x78, 0x9c]);
/** An empty final block (BFINAL=1, fixed Huffman, end of block). */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

/** One zlib stream of the segments' contents, in order. */
export function stitch(segments: readonly Segment[]): Buffer[] {
  let adler = 1;
  const out: Buffer[] = [ZLIB_HEADER];
  for (const segment of segments) {
    out.push(segment.deflated);
    adler = adler32Combine(adler, segment.adler, segment.raw.length);
  }
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(adler);
  out.push(FINAL_BLOCK, trailer);
  return out;
}
