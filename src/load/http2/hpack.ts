/**
 * HPACK (RFC 7541): a complete decoder for the server's header blocks (static and dynamic tables, Huffman,
 * table size updates), and the few encoding primitives hopscope's requests need. Requests never use the
 * dynamic table (literals without indexing, static table indices), so their blocks can be encoded once
 * per request template and replayed on any connection.
 */

import { CompressionError } from './errors.js';
import { huffmanDecode } from './huffman.js';

/** RFC 7541 Appendix A: index i + 1 is STATIC_TABLE[i]. */
const STATIC_TABLE: readonly (readonly [string, string])[] = [
  [':authority', ''],
  [':method', 'GET'],
  [':method', 'POST'],
  [':path', '/'],
  [':path', '/index.html'],
  [':scheme', 'http'],
  [':scheme', 'https'],
  [':status', '200'],
  [':status', '204'],
  [':status', '206'],
  [':status', '304'],
  [':status', '400'],
  [':status', '404'],
  [':status', '500'],
  ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'],
  ['accept-language', ''],
  ['accept-ranges', ''],
  ['accept', ''],
  ['access-control-allow-origin', ''],
  ['age', ''],
  ['allow', ''],
  ['authorization', ''],
  ['cache-control', ''],
  ['content-disposition', ''],
  ['content-encoding', ''],
  ['content-language', ''],
  ['content-length', ''],
  ['content-location', ''],
  ['content-range', ''],
  ['content-type', ''],
  ['cookie', ''],
  ['date', ''],
  ['etag', ''],
  ['expect', ''],
  ['expires', ''],
  ['from', ''],
  ['host', ''],
  ['if-match', ''],
  ['if-modified-since', ''],
  ['if-none-match', ''],
  ['if-range', ''],
  ['if-unmodified-since', ''],
  ['last-modified', ''],
  ['link', ''],
  ['location', ''],
  ['max-forwards', ''],
  ['proxy-authenticate', ''],
  ['proxy-authorization', ''],
  ['range', ''],
  ['referer', ''],
  ['refresh', ''],
  ['retry-after', ''],
  ['server', ''],
  ['set-cookie', ''],
  ['strict-transport-security', ''],
  ['transfer-encoding', ''],
  ['user-agent', ''],
  ['vary', ''],
  ['via', ''],
  ['www-authenticate', ''],
];

/** The dynamic table size hopscope allows the server (SETTINGS_HEADER_TABLE_SIZE, left at its default). */
const DEFAULT_TABLE_SIZE = 4096;
/** Larger integers than any header block can need: a longer encoding is an attack or garbage. */
const MAX_INTEGER = 2 ** 28;
/** RFC 7541 section 4.1: each entry costs its name and value octets plus 32. */
const ENTRY_OVERHEAD = 32;

export interface HeaderFields {
  field(name: string, value: string): void;
}

/** One connection's decoding state: the dynamic table the server's encoder mirrors. */
export class HpackDecoder {
  // Oldest first from `oldest`; entries before it are evicted (compacted now and then, not per eviction).
  private names: string[] = [];
  private values: string[] = [];
  private oldest = 0;
  private size = 0;
  private capacity: number;
  private offset = 0;

  constructor(private readonly maxCapacity = DEFAULT_TABLE_SIZE) {
    this.capacity = maxCapacity;
  }

  /** Entries in the dynamic table, newest first (for tests and diagnostics). */
  get entries(): [string, string][] {
    const out: [string, string][] = [];
    for (let i = this.names.length - 1; i >= this.oldest; i--) out.push([this.names[i]!, this.values[i]!]);
    return out;
  }

  get tableSize(): number {
    return this.size;
  }

  /** Decodes one complete header block (HEADERS plus its CONTINUATIONs). Throws CompressionError. */
  decode(block: Uint8Array, start: number, end: number, fields: HeaderFields): void {
    this.offset = start;
    let first = true;
    while (this.offset < end) {
      const byte = block[this.offset]!;
      if (byte & 0x80) {
        const [name, value] = this.lookup(this.integer(block, end, 7));
        fields.field(name, value);
      } else if (byte & 0x40) {
        const name = this.name(block, end, 6);
        const value = this.string(block, end);
        this.insert(name, value);
        fields.field(name, value);
      } else if (byte & 0x20) {
        // RFC 7541 section 4.2: only at the start of a block.
        if (!first) throw new CompressionError('dynamic table size update after a header field');
        const capacity = this.integer(block, end, 5);
        if (capacity > this.maxCapacity) throw new CompressionError(`dynamic table size ${capacity} above the ${this.maxCapacity} allowed`);
        this.capacity = capacity;
        this.evict(0);
        continue;
      } else {
        // Without indexing (0000) or never indexed (0001): the same to a decoder.
        const name = this.name(block, end, 4);
        fields.field(name, this.string(block, end));
      }
      first = false;
    }
  }

  private lookup(index: number): readonly [string, string] {
    if (index === 0) throw new CompressionError('header index 0');
    if (index <= STATIC_TABLE.length) return STATIC_TABLE[index - 1]!;
    const at = this.names.length - (index - STATIC_TABLE.length);
    if (at < this.oldest) throw new CompressionError(`header index ${index} beyond the tables`);
    return [this.names[at]!, this.values[at]!];
  }

  private name(block: Uint8Array, end: number, prefixBits: number): string {
    const index = this.integer(block, end, prefixBits);
    return index === 0 ? this.string(block, end) : this.lookup(index)[0];
  }

  private insert(name: string, value: string): void {
    const size = name.length + value.length + ENTRY_OVERHEAD;
    // RFC 7541 section 4.4: an entry larger than the table empties it and is not added.
    this.evict(Math.min(size, this.capacity + 1));
    if (size > this.capacity) return;
    this.names.push(name);
    this.values.push(value);
    this.size += size;
  }

  /** Evicts the oldest entries until `room` more octets fit. */
  private evict(room: number): void {
    while (this.size + room > this.capacity && this.oldest < this.names.length) {
      this.size -= this.names[this.oldest]!.length + this.values[this.oldest]!.length + ENTRY_OVERHEAD;
      this.oldest++;
    }
    if (this.oldest > 64 && this.oldest * 2 > this.names.length) {
      this.names = this.names.slice(this.oldest);
      this.values = this.values.slice(this.oldest);
      this.oldest = 0;
    }
  }

  /** RFC 7541 section 5.1, from the current offset, the prefix in the low `prefixBits` of the first byte. */
  private integer(block: Uint8Array, end: number, prefixBits: number): number {
    const mask = (1 << prefixBits) - 1;
    let value = block[this.offset++]! & mask;
    if (value < mask) return value;
    let shift = 0;
    for (;;) {
      if (this.offset >= end) throw new CompressionError('header block ends inside an integer');
      const byte = block[this.offset++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (value > MAX_INTEGER) throw new CompressionError('integer too large in a header block');
      if (!(byte & 0x80)) return value;
      shift += 7;
    }
  }

  /** RFC 7541 section 5.2: a length with the Huffman flag, then the octets. Header octets are latin1. */
  private string(block: Uint8Array, end: number): string {
    if (this.offset >= end) throw new CompressionError('header block ends before a string');
    const huffman = (block[this.offset]! & 0x80) !== 0;
    const length = this.integer(block, end, 7);
    const start = this.offset;
    if (length > end - start) throw new CompressionError('string runs past the header block');
    this.offset += length;
    if (huffman) return huffmanDecode(block, start, start + length);
    return Buffer.from(block.buffer, block.byteOffset + start, length).toString('latin1');
  }
}

/** Appends an HPACK integer (RFC 7541 section 5.1) whose first byte carries `flags` above the prefix. */
export function encodeInteger(out: number[], value: number, prefixBits: number, flags: number): void {
  const mask = (1 << prefixBits) - 1;
  if (value < mask) {
    out.push(flags | value);
    return;
  }
  out.push(flags | mask);
  let rest = value - mask;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
}

/** Appends a string without Huffman coding (the server decodes either; ours are encoded once, so size hardly matters). */
export function encodeString(out: number[], value: string): void {
  const bytes = Buffer.from(value, 'latin1');
  encodeInteger(out, bytes.length, 7, 0);
  for (const b of bytes) out.push(b);
}

/** Index of the first static entry with this name, or 0. */
function staticNameIndex(name: string): number {
  return STATIC_TABLE.findIndex(([n]) => n === name) + 1;
}

/**
 * Appends one field, by its static table index when name and value are there, else as a literal without
 * indexing (RFC 7541 section 6.2.2), its name by static index when it has one.
 */
export function encodeField(out: number[], name: string, value: string): void {
  const full = STATIC_TABLE.findIndex(([n, v]) => n === name && v === value);
  if (full >= 0) {
    encodeInteger(out, full + 1, 7, 0x80);
    return;
  }
  const nameIndex = staticNameIndex(name);
  encodeInteger(out, nameIndex, 4, 0);
  if (nameIndex === 0) encodeString(out, name);
  encodeString(out, value);
}
