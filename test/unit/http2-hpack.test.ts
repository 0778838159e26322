/**
 * The HPACK decoder against RFC 7541 Appendix C (C.3 and C.4 requests without and with Huffman, C.5 and
 * C.6 responses with a 256-octet table and evictions), Huffman's EOS and padding rules, malformed blocks,
 * and the request-side encoding it must read back.
 */

import { describe, expect, it } from 'vitest';
import { CompressionError } from '../../src/load/http2/errors.js';
import { encodeField, HpackDecoder } from '../../src/load/http2/hpack.js';
import { huffmanDecode } from '../../src/load/http2/huffman.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function decode(decoder: HpackDecoder, block: Buffer): [string, string][] {
  const fields: [string, string][] = [];
  decoder.decode(block, 0, block.length, { field: (name, value) => fields.push([name, value]) });
  return fields;
}

interface Step {
  block: string;
  fields: [string, string][];
  table: [string, string][];
  size: number;
}

const AUTHORITY: [string, string] = [':authority', 'www.example.com'];
const REQUESTS = (c: { one: string; two: string; three: string }): Step[] => [
  { block: c.one, fields: [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], AUTHORITY], table: [AUTHORITY], size: 57 },
  {
    block: c.two,
    fields: [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], AUTHORITY, ['cache-control', 'no-cache']],
    table: [['cache-control', 'no-cache'], AUTHORITY],
    size: 110,
  },
  {
    block: c.three,
    fields: [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], AUTHORITY, ['custom-key', 'custom-value']],
    table: [['custom-key', 'custom-value'], ['cache-control', 'no-cache'], AUTHORITY],
    size: 164,
  },
];

const DATE_21: [string, string] = ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'];
const DATE_22: [string, string] = ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'];
const LOCATION: [string, string] = ['location', 'https://www.example.com'];
const PRIVATE: [string, string] = ['cache-control', 'private'];
const COOKIE: [string, string] = ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1'];
const RESPONSES = (c: { one: string; two: string; three: string }): Step[] => [
  { block: c.one, fields: [[':status', '302'], PRIVATE, DATE_21, LOCATION], table: [LOCATION, DATE_21, PRIVATE, [':status', '302']], size: 222 },
  // The 307 evicts the 302: the table holds 256 octets.
  { block: c.two, fields: [[':status', '307'], PRIVATE, DATE_21, LOCATION], table: [[':status', '307'], LOCATION, DATE_21, PRIVATE], size: 222 },
  {
    block: c.three,
    fields: [[':status', '200'], PRIVATE, DATE_22, LOCATION, ['content-encoding', 'gzip'], COOKIE],
    table: [COOKIE, ['content-encoding', 'gzip'], DATE_22],
    size: 215,
  },
];

const CASES: [string, number, Step[]][] = [
  [
    'C.3 requests without Huffman',
    4096,
    REQUESTS({
      one: '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
      two: '8286 84be 5808 6e6f 2d63 6163 6865',
      three: '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
    }),
  ],
  [
    'C.4 requests with Huffman',
    4096,
    REQUESTS({
      one: '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff',
      two: '8286 84be 5886 a8eb 1064 9cbf',
      three: '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf',
    }),
  ],
  [
    'C.5 responses without Huffman, evictions',
    256,
    RESPONSES({
      one: `4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d
            546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d`,
      two: '4803 3330 37c1 c0bf',
      three: `88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f
              6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b
              2076 6572 7369 6f6e 3d31`,
    }),
  ],
  [
    'C.6 responses with Huffman, evictions',
    256,
    RESPONSES({
      one: `4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7
            8f0b 97c8 e9ae 82ae 43d3`,
      two: '4883 640e ffc1 c0bf',
      three: `88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335
              dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07`,
    }),
  ],
];

describe('HPACK decoder, RFC 7541 Appendix C', () => {
  it.each(CASES)('%s', (_name, tableSize, steps) => {
    const decoder = new HpackDecoder(tableSize);
    for (const step of steps) {
      expect(decode(decoder, hex(step.block))).toEqual(step.fields);
      expect(decoder.entries).toEqual(step.table);
      expect(decoder.tableSize).toBe(step.size);
    }
  });
});

describe('HPACK decoder, table size updates and malformed blocks', () => {
  it('a size update at the start of a block evicts; to 0 it empties the table', () => {
    const decoder = new HpackDecoder();
    decode(decoder, hex('8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d'));
    expect(decoder.tableSize).toBe(57);
    // 0x20: size update to 0, then 0x3f e1 1f: back to 4096, then :status 200.
    expect(decode(decoder, hex('20 3fe11f 88'))).toEqual([[':status', '200']]);
    expect(decoder.entries).toEqual([]);
    expect(decode(decoder, hex('4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf'))).toEqual([['custom-key', 'custom-value']]);
    expect(decoder.tableSize).toBe(54);
  });

  it('an entry larger than the whole table empties it and is not added', () => {
    const decoder = new HpackDecoder(64);
    decode(decoder, hex('4001 61 01 62')); // a: b, 34 octets
    expect(decoder.entries).toEqual([['a', 'b']]);
    const long = 'x'.repeat(40);
    const block: number[] = [0x40, 1, 0x63, long.length, ...Buffer.from(long)];
    expect(decode(decoder, Buffer.from(block))).toEqual([['c', long]]);
    expect(decoder.entries).toEqual([]);
    expect(decoder.tableSize).toBe(0);
  });

  it.each([
    ['index 0', '80'],
    ['an index beyond the static and dynamic tables', 'be'],
    ['a size update after a field', '88 20'],
    ['a size update above the allowed 4096', '3fe21f'],
    ['a block ending inside an integer', '7f'],
    ['an integer too large', '7fffffffffff0f'],
    ['a string running past the block', '0f28 05 6162'],
    ['a Huffman string containing EOS', '0f28 85 ffffffffff'],
    ['a Huffman string with more than 7 bits of padding', '0f28 82 1fff'],
  ])('%s fails as a CompressionError', (_name, block) => {
    expect(() => decode(new HpackDecoder(), hex(block))).toThrow(CompressionError);
  });
});

describe('Huffman decoding', () => {
  const huffman = (s: string): string => {
    const b = hex(s);
    return huffmanDecode(b, 0, b.length);
  };

  it.each([
    ['f1e3 c2e5 f23a 6ba0 ab90 f4ff', 'www.example.com'],
    ['a8eb 1064 9cbf', 'no-cache'],
    ['6402', '302'],
    ['aec3 771a 4b', 'private'],
    ['', ''],
  ])('%s is %j', (input, text) => expect(huffman(input)).toBe(text));

  it.each([
    ['padding over 7 bits', 'ff'],
    ['"a" then a whole byte of padding', '1fff'],
    ['"a" then 29 bits of padding', 'ff9fffffff'],
    ['padding that ends on a partial symbol', '52bc30ffffffff'],
    ['EOS itself', 'fffffffffc'],
    ['padding of zeros', '00'],
  ])('refuses %s', (_name, input) => expect(() => huffman(input)).toThrow(CompressionError));

  it('decodes a long string in one call (the scratch buffer grows)', () => {
    // "0" is 00000: every five bytes of zeros are eight of them, with no padding left over.
    const zeros = Buffer.alloc(500 * 5);
    expect(huffmanDecode(zeros, 0, zeros.length)).toBe('0'.repeat(4000));
  });
});

describe('request-side encoding', () => {
  it('static indices where name and value match, literals without indexing otherwise, read back by the decoder', () => {
    const out: number[] = [];
    encodeField(out, ':method', 'GET');
    encodeField(out, ':path', '/v1/items/42');
    encodeField(out, 'x-test', 'yes');
    encodeField(out, 'content-length', '300');
    expect(out[0]).toBe(0x82);
    const decoder = new HpackDecoder();
    expect(decode(decoder, Buffer.from(out))).toEqual([
      [':method', 'GET'],
      [':path', '/v1/items/42'],
      ['x-test', 'yes'],
      ['content-length', '300'],
    ]);
    expect(decoder.entries).toEqual([]);
  });

  it('encodes a value longer than its length prefix (multi-byte integer)', () => {
    const out: number[] = [];
    const value = 'v'.repeat(300);
    encodeField(out, 'x-long', value);
    expect(decode(new HpackDecoder(), Buffer.from(out))).toEqual([['x-long', value]]);
  });
});
