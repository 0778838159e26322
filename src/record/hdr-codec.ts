/**
 * HdrHistogram's compressed V2 encoding, the form of .hlog lines and of every histogram hopscope hands
 * between threads and generators: the byte layout of hdr-histogram-js (which Java's HistogramLogProcessor
 * reads), in a zlib stream of stored blocks (deflate's level 0, what Java's Deflater writes at that level),
 * which every reader inflates like any other.
 *
 * Why not compressed: the encoding runs at every interval's end on the thread that sends, and a deflateSync
 * there took 0.6-2.9 ms (a zlib stream set up cold once a second; 2,000 req/s), about half the interval's
 * end, while each request due meanwhile waited. The payload is compact already (a zero run is one number):
 * deflate saved a fifth to a third of the text (552 -> 364 characters for 2,000 latencies, 1,028 -> 828
 * for 200,000). An interval's end (a recorder with an hlog, a timeline and histograms.json; 2,000 latencies;
 * 16 ends 300 ms apart, the median; 3 alternating runs): 0.52-0.65 ms against 0.74-1.31 ms deflated.
 *
 * Why not the library's own encoder: its module also loads pako (17 files that Node never uses: it takes
 * zlib) and writes through a byte-at-a-time buffer, in every thread that records: a profile gave it 16 ms of
 * each thread's start and 11 ms of its first encoding (interpreted, at the first interval's end, on the
 * sending thread); `--workers 2`, 1-s run: 710 -> 640 ms of CPU in all (8 alternating runs, medians).
 *
 * Layout (big-endian): cookie, payload length, normalizing index offset (1, as the library writes),
 * significant digits, lowest discernible value (int64), highest trackable value (int64), the conversion
 * ratio (int64 1), then the counts up to the maximum's bucket as ZigZag LEB128-64b9B numbers, a run of
 * zeros as one negative number. Compressed: cookie, length, then the zlib stream.
 */

import { builtinModule } from '../import-module.js';

const V2_COOKIE_BASE = 0x1c849303;
const V2_COMPRESSED_COOKIE_BASE = 0x1c849304;
/** The low bit of the word-size nibble marks zero-run encoding; the nibble is ignored on reading, as the library does. */
const WORD_SIZE_NIBBLE = 0x10;
const COOKIE_BASE_MASK = ~0xf0;
const HEADER_BYTES = 40;
/** The most bytes one LEB128-64b9B number takes. */
const MAX_WORD_BYTES = 9;
const TWO_POW_32 = 2 ** 32;

/** What the encoding needs of a histogram: its shape and its counts by index. */
export interface EncodableCounts {
  significantDigits: number;
  lowest: number;
  highest: number;
  /** counts[0, length) are written; length is the maximum's bucket index + 1 (1 when empty). */
  counts: ArrayLike<number>;
  length: number;
}

export interface DecodedCounts {
  significantDigits: number;
  lowest: number;
  highest: number;
  /** The non-zero counts and their indexes, in index order: a zero run of any length costs nothing to read. */
  indexes: number[];
  counts: number[];
}

export class HdrDecodeError extends Error {}

let scratch = new Uint8Array(1 << 16);

/** The compressed V2 encoding of `h`, base64, as hdr-histogram-js's `encodeIntoCompressedBase64()` writes it. */
export function encodeCompressedBase64(h: EncodableCounts): string {
  const need = HEADER_BYTES + h.length * MAX_WORD_BYTES;
  if (scratch.length < need) scratch = new Uint8Array(need);
  const out = scratch;
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setInt32(0, V2_COOKIE_BASE | WORD_SIZE_NIBBLE);
  view.setInt32(8, 1);
  view.setInt32(12, h.significantDigits);
  setInt64(view, 16, h.lowest);
  setInt64(view, 24, h.highest);
  setInt64(view, 32, 1);
  let at = HEADER_BYTES;
  const counts = h.counts;
  for (let i = 0; i < h.length; ) {
    const count = counts[i++]!;
    if (count !== 0) {
      at = putZigZag(out, at, count);
      continue;
    }
    let zeros = 1;
    while (i < h.length && counts[i] === 0) {
      zeros++;
      i++;
    }
    at = putZigZag(out, at, zeros > 1 ? -zeros : 0);
  }
  view.setInt32(4, at - HEADER_BYTES);
  const framed = zlibStored(out.subarray(0, at), 8);
  framed.writeInt32BE(V2_COMPRESSED_COOKIE_BASE | WORD_SIZE_NIBBLE, 0);
  framed.writeInt32BE(framed.length - 8, 4);
  return framed.toString('base64');
}

/** The largest stored block deflate allows. */
const STORED_BLOCK_BYTES = 65_535;
/** Adler-32's modulus, and how many bytes its sums take before they must be reduced (zlib's NMAX). */
const ADLER_BASE = 65_521;
const ADLER_RUN = 5_552;

/**
 * `data` as a zlib stream (RFC 1950) of stored deflate blocks (RFC 1951, BTYPE 00), after `headroom` bytes
 * left for the caller's frame: written in place, not copied into the frame after.
 */
function zlibStored(data: Uint8Array, headroom: number): Buffer {
  const blocks = Math.max(1, Math.ceil(data.length / STORED_BLOCK_BYTES));
  const out = Buffer.allocUnsafe(headroom + 2 + blocks * 5 + data.length + 4);
  // CMF 0x78 (deflate, 32 KB window), FLG 0x01 (fastest; its check bits make 0x7801 a multiple of 31).
  out[headroom] = 0x78;
  out[headroom + 1] = 0x01;
  let at = headroom + 2;
  for (let block = 0, from = 0; block < blocks; block++) {
    const length = Math.min(STORED_BLOCK_BYTES, data.length - from);
    out[at++] = block === blocks - 1 ? 1 : 0;
    out.writeUInt16LE(length, at);
    out.writeUInt16LE(~length & 0xffff, at + 2);
    at += 4;
    out.set(data.subarray(from, from + length), at);
    at += length;
    from += length;
  }
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; ) {
    for (const end = Math.min(data.length, i + ADLER_RUN); i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= ADLER_BASE;
    b %= ADLER_BASE;
  }
  out.writeUInt32BE(b * 65_536 + a, at);
  return out;
}

/** The inverse of encodeCompressedBase64, for any V2 histogram (HdrHistogram's Java and C tools write the same). */
export function decodeCompressedBase64(base64: string): DecodedCounts {
  const framed = Buffer.from(base64.trim(), 'base64');
  if (framed.length < 8 || (framed.readInt32BE(0) & COOKIE_BASE_MASK) !== V2_COMPRESSED_COOKIE_BASE) {
    throw new HdrDecodeError('not a compressed HdrHistogram (only the V2 encoding is read)');
  }
  let data: Buffer;
  try {
    // node:zlib only here: a run encodes, and only reading a histogram back inflates one.
    data = builtinModule<typeof import('node:zlib')>('node:zlib').inflateSync(framed.subarray(8, 8 + framed.readInt32BE(4)));
  } catch {
    throw new HdrDecodeError('a compressed HdrHistogram whose deflated data is damaged');
  }
  if (data.length < HEADER_BYTES || (data.readInt32BE(0) & COOKIE_BASE_MASK) !== V2_COOKIE_BASE) {
    throw new HdrDecodeError('not an HdrHistogram V2 payload');
  }
  const end = HEADER_BYTES + data.readInt32BE(4);
  if (end > data.length) throw new HdrDecodeError('an HdrHistogram whose payload is cut short');
  const indexes: number[] = [];
  const counts: number[] = [];
  let index = 0;
  let at = HEADER_BYTES;
  while (at < end) {
    let value = 0;
    let scale = 1;
    let byte = 0;
    for (let n = 0; n < MAX_WORD_BYTES; n++) {
      if (at >= end) throw new HdrDecodeError('an HdrHistogram whose payload is cut short');
      byte = data[at++]!;
      // The ninth byte carries 8 bits, not 7 (the 64b9B variant).
      if (n === MAX_WORD_BYTES - 1) {
        value += byte * scale;
        break;
      }
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) break;
      scale *= 128;
    }
    const decoded = value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    if (decoded < 0) index -= decoded;
    else {
      if (decoded > 0) {
        indexes.push(index);
        counts.push(decoded);
      }
      index++;
    }
  }
  return {
    significantDigits: data.readInt32BE(12),
    lowest: getInt64(data, 16),
    highest: getInt64(data, 24),
    indexes,
    counts,
  };
}

function putZigZag(out: Uint8Array, at: number, signed: number): number {
  let v = signed >= 0 ? signed * 2 : -signed * 2 - 1;
  for (let n = 0; n < MAX_WORD_BYTES - 1; n++) {
    if (v < 128) {
      out[at++] = v;
      return at;
    }
    out[at++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  out[at++] = v & 0xff;
  return at;
}

function setInt64(view: DataView, at: number, value: number): void {
  view.setUint32(at, Math.floor(value / TWO_POW_32));
  view.setUint32(at + 4, value % TWO_POW_32);
}

function getInt64(data: Buffer, at: number): number {
  return data.readUint32BE(at) * TWO_POW_32 + data.readUint32BE(at + 4);
}
