import { describe, expect, it } from 'vitest';
import { ProtocolError, ResponseParser, type ParsedResponse } from '../../src/load/http1/response-parser.js';
import { seededRandom } from '../../src/load/random.js';

function parse(chunks: (string | Buffer)[], heads: boolean[] = []): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  const parser = new ResponseParser((r) => out.push(r), () => heads[out.length] ?? false);
  for (const c of chunks) parser.push(Buffer.isBuffer(c) ? c : Buffer.from(c, 'latin1'));
  return out;
}

const ok = (body: string, extra = '') => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;

describe('ResponseParser', () => {
  it('reads a Content-Length response and its status', () => {
    expect(parse([ok('{"a":1}')])).toEqual([{ status: 200, close: false, serverTiming: undefined }]);
  });

  it('reads pipelined responses arriving in one chunk, in order', () => {
    const out = parse([ok('a') + 'HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno' + ok('')]);
    expect(out.map((r) => r.status)).toEqual([200, 404, 200]);
  });

  it('reads a response split at every byte', () => {
    const text = ok('hello', 'Server-Timing: api;dur=1.5\r\n') + ok('x');
    const out = parse([...text].map((ch) => ch));
    expect(out).toHaveLength(2);
    expect(out[0]!.serverTiming).toBe('api;dur=1.5');
  });

  it('reads chunked bodies with extensions and trailers', () => {
    const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n';
    expect(parse([chunked + ok('z')]).map((r) => r.status)).toEqual([200, 200]);
    expect(parse([...chunked].map((c) => c))).toHaveLength(1);
  });

  it('joins repeated Server-Timing headers', () => {
    const [r] = parse([ok('', 'Server-Timing: a;dur=2\r\nserver-timing: b;dur=1\r\n')]);
    expect(r!.serverTiming).toBe('a;dur=2, b;dur=1');
  });

  it('marks Connection: close and HTTP/1.0 without keep-alive', () => {
    expect(parse([ok('', 'Connection: close\r\n')])[0]!.close).toBe(true);
    expect(parse(['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'])[0]!.close).toBe(true);
    expect(parse(['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n'])[0]!.close).toBe(false);
  });

  it('ends a body without length at close', () => {
    const out: ParsedResponse[] = [];
    const parser = new ResponseParser((r) => out.push(r));
    parser.push(Buffer.from('HTTP/1.1 200 OK\r\n\r\npartial body'));
    expect(out).toHaveLength(0);
    expect(parser.end()).toBe(true);
    expect(out[0]!.close).toBe(true);
  });

  it('reports a response cut by close', () => {
    const parser = new ResponseParser(() => {});
    parser.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
    expect(parser.midResponse).toBe(true);
    expect(parser.end()).toBe(false);
  });

  it('gives HEAD, 204 and 304 responses no body', () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n';
    expect(parse([head + ok('x')], [true, false]).map((r) => r.status)).toEqual([200, 200]);
    expect(parse(['HTTP/1.1 204 No Content\r\n\r\n' + ok('')])).toHaveLength(2);
  });

  it('skips interim 1xx responses', () => {
    expect(parse(['HTTP/1.1 100 Continue\r\n\r\n' + ok('a')]).map((r) => r.status)).toEqual([200]);
  });

  it.each([
    ['garbage', 'SSH-2.0-OpenSSH\r\n\r\n', /not an HTTP/],
    ['a bad status', 'HTTP/1.1 abc OK\r\n\r\n', /bad status/],
    ['a bad Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n', /Content-Length/],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /chunk size/],
  ])('rejects %s', (_name, text, message) => {
    expect(() => parse([text])).toThrow(ProtocolError);
    expect(() => parse([text])).toThrow(message);
  });

  it('rejects a head larger than 64 KiB instead of buffering forever', () => {
    expect(() => parse([`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70_000)}`])).toThrow(/64 KiB/);
  });

  describe('a head repeated byte for byte (read once, then compared)', () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nServer-Timing: a;dur=1\r\n\r\n';

    it('still asks, for each response, whether its request was a HEAD', () => {
      const out = parse([head + 'x', head, head + 'y', ok('z')], [false, true, false, false]);
      expect(out).toHaveLength(4);
      expect(out.slice(0, 3).map((r) => r.serverTiming)).toEqual(['a;dur=1', 'a;dur=1', 'a;dur=1']);
      // The repeat hands on the first response's read-only object: nothing is allocated per response.
      expect(out[2]).toBe(out[0]);
    });

    it('reads a head again when one byte differs', () => {
      const other = head.replace('Content-Length: 1', 'Content-Length: 2');
      const out = parse([head + 'x' + other + 'yz' + head + 'w' + ok('')]);
      expect(out).toHaveLength(4);
      expect(parse([head + 'x', other + 'yz', head + 'w', ok('')])).toHaveLength(4);
    });

    it('compares word by word where reads share one buffer (a plain TCP connection\'s), at every alignment, and tells any changed byte', () => {
      const memory = new ArrayBuffer(4096);
      // Like the dialer's read buffer: each chunk a view of the same memory, valid while it is pushed.
      const readInto = (text: string, offset: number) => {
        const view = Buffer.from(memory, offset, text.length);
        view.write(text, 'latin1');
        return view;
      };
      const value = 'a;dur=1;desc="0123456789abcdefghijklmnopqrstuv"';
      const timed = (v: string) => `HTTP/1.1 200 OK\r\nContent-Length: 1\r\nServer-Timing: ${v}\r\n\r\n`;
      for (let align = 0; align < 4; align++) {
        for (let k = 0; k < value.length; k++) {
          const out: ParsedResponse[] = [];
          const parser = new ResponseParser((r) => out.push(r));
          parser.push(readInto(timed(value) + 'x', 0));
          parser.push(readInto(timed(value) + 'y', 64 + align));
          const changed = value.slice(0, k) + (value[k] === 'Z' ? 'Y' : 'Z') + value.slice(k + 1);
          parser.push(readInto(timed(changed) + 'z', 128 + align));
          expect(out[1]).toBe(out[0]); // the repeat was recognized
          expect(out.map((r) => r.serverTiming)).toEqual([value, value, changed]);
        }
      }
    });

    it('reads a repeat split at every byte', () => {
      const out = parse([head + 'x', ...[...(head + 'y' + head + 'z')].map((ch) => ch)]);
      expect(out).toHaveLength(3);
    });

    it('gives every response its own values when heads differ each time, and after that, when they repeat', () => {
      const timing = (i: number) => `a;dur=${i}`;
      const sent = [...Array.from({ length: 600 }, (_, i) => timing(i)), ...Array.from({ length: 600 }, () => timing(-1))];
      const out = parse(sent.map((t) => ok('x', `Server-Timing: ${t}\r\n`)));
      expect(out.map((r) => r.serverTiming)).toEqual(sent);
    });

    it('reads random streams of repeated and differing heads, cut at random places, as they were sent', () => {
      const random = seededRandom(7);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      const heads = [
        (body: string) => `HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: ${body.length}\r\n\r\n`,
        (body: string) => `HTTP/1.1 404 Not Found\r\nContent-Length: ${body.length}\r\nServer-Timing: db;dur=2\r\n\r\n`,
        () => 'HTTP/1.1 204 No Content\r\nServer-Timing: x;dur=1\r\n\r\n',
        () => 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
      ];
      for (let run = 0; run < 50; run++) {
        const expected: { status: number; serverTiming: string | undefined }[] = [];
        const isHead: boolean[] = [];
        let text = '';
        for (let i = 0; i < 40; i++) {
          const kind = pick([0, 0, 0, 1, 1, 2, 3]);
          const body = pick(['', 'x', 'hello', '{"ok":true}']);
          const head = random() < 0.3 && kind === 0 ? heads[kind]!(body).replace('nginx', `nginx-${i}`) : heads[kind]!(body);
          const headRequest = kind !== 3 && random() < 0.2;
          isHead.push(headRequest);
          expected.push({ status: Number(head.slice(9, 12)), serverTiming: /Server-Timing: ([^\r]*)/.exec(head)?.[1] });
          text += head;
          if (headRequest || kind === 2) continue;
          text += kind === 3 ? (body ? `${body.length.toString(16)}\r\n${body}\r\n` : '') + '0\r\n\r\n' : body;
        }
        const cuts = Array.from({ length: 1 + Math.floor(random() * 30) }, () => Math.floor(random() * text.length)).sort((a, b) => a - b);
        const chunks = [0, ...cuts].map((from, i) => text.slice(from, [...cuts, text.length][i]));
        const out = parse(chunks, isHead);
        expect(out.map((r) => ({ status: r.status, serverTiming: r.serverTiming }))).toEqual(expected);
      }
    });

    it('never takes a malformed head for a repeat of a good one', () => {
      expect(() => parse([head + 'x', head.replace('Content-Length: 1', 'Content-Length: 1 1') + 'x'])).toThrow(/Content-Length/);
    });
  });
});
