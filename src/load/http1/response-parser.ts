/**
 * Incremental HTTP/1.1 response parser for the load engine's own client.
 *
 * Why not undici or node:http: the generator is the bottleneck of a Node load tool (see bench/engine.ts),
 * and this parser does only what a load generator needs: find each response's end (Content-Length,
 * chunked, or connection close), its status, whether the server will close, and one header of interest
 * (Server-Timing). Bodies are skipped, never copied.
 *
 * Conformance follows llhttp (Node's own parser) in its strict mode, case by case in
 * test/unit/response-parser-llhttp.test.ts: a malformed response fails at once with a ProtocolError (a
 * load test must never stall on bytes it cannot frame), and the one tolerance real servers need is kept:
 * empty lines before a status line (a CRLF after a 304, after a 100 Continue, after a body).
 */

/** Read-only: a repeated head hands the same object on for each of its responses. */
export interface ParsedResponse {
  readonly status: number;
  /** The server said `Connection: close` (or spoke HTTP/1.0 without keep-alive, or switched protocols). */
  readonly close: boolean;
  /** Raw value of the Server-Timing header, when the response had one. */
  readonly serverTiming: string | undefined;
}

export class ProtocolError extends Error {}

const CRLF_CRLF = Buffer.from('\r\n\r\n');
const HTTP_PREFIX = Buffer.from('HTTP/');
const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_LINE_BYTES = 1024;
/** Heads up to this long are remembered for the repeat check (nginx's are ~150 bytes; most servers' under 400). */
const REPEAT_HEAD_BYTES = 512;
/**
 * A server whose every head differs (a request id, a per-response Server-Timing) makes each check a miss
 * plus a copy, a third more than reading alone: after this many misses in a row the check pauses for
 * REPEAT_PAUSE_HEADS heads, which bounds that cost to a few nanoseconds per response.
 */
const REPEAT_MISSES_TO_PAUSE = 4;
const REPEAT_PAUSE_HEADS = 256;
/** 13 hex digits: the largest chunk size below 2^53, so that the byte count stays an exact number. */
const MAX_CHUNK_SIZE_DIGITS = 13;
const CR = 13;
const LF = 10;

/** After the chunk size: [ ; name [= token | quoted-string] ]* (RFC 9112 section 7.1.1), no whitespace (llhttp's strict form). */
const CHUNK_EXTENSIONS = /^(?:;[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:=(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+|"(?:[^"\\\r\n]|\\[^\r\n])*"))?)+$/;
/** Hex digit values by byte, -1 for anything else. */
const HEX_VALUE = (() => {
  const table = new Int8Array(256).fill(-1);
  for (let i = 0; i < 16; i++) table['0123456789abcdef'.charCodeAt(i)] = i;
  for (let i = 10; i < 16; i++) table['ABCDEF'.charCodeAt(i - 10)] = i;
  return table;
})();

const enum State {
  Head,
  FixedBody,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  BodyUntilClose,
  /** After a response that closes the connection (or switched protocols): nothing more is HTTP/1.1 for us. */
  Done,
}

/** What a response head says, before the request it answers is known (a HEAD's response has no body). */
interface HeadFacts {
  /** Made with the facts, so that a repeated head allocates nothing per response. */
  response: ParsedResponse;
  /** -1 when absent. */
  contentLength: number;
  chunked: boolean;
}

export class ResponseParser {
  private state = State.Head;
  private pending: Buffer | undefined;
  private remaining = 0;
  private current: ParsedResponse | undefined;
  /**
   * The latest head read, byte for byte through its blank line, and what it said. A server repeats its head
   * (nginx's changes with its Date, once a second): a native compare of the bytes costs a fraction of
   * reading them as text, and reading the head was the largest share of the closed loop's own time. Only
   * a head that passed every check is remembered, so a repeat passes them too.
   */
  private repeatBytes: Buffer | undefined;
  /** repeatBytes as 32-bit words (it starts its own ArrayBuffer, so word i is bytes 4i..4i+3). */
  private repeatWords: Int32Array | undefined;
  private repeatLength = 0;
  /**
   * The ArrayBuffer under the latest chunk, and a word view of it once a second chunk came from it too: a
   * plain TCP connection reads into one buffer per thread, where a head is compared word by word in JS
   * rather than by Buffer.compare, whose native call cost ~180 ns a response in a closed loop's `perf`
   * (148 bytes alone: 43-53 ns against 87). A TLS read arrives in a buffer of its own, which never gets a view.
   */
  private chunkArrayBuffer: ArrayBufferLike | undefined;
  private chunkWords: Int32Array | undefined;
  private repeatFacts: HeadFacts | undefined;
  private repeatMisses = 0;
  private repeatPaused = 0;

  /**
   * @param onResponse called once per complete response, in order.
   * @param isHeadRequest tells whether the oldest unanswered request was a HEAD (its response has no body).
   */
  constructor(
    private readonly onResponse: (response: ParsedResponse) => void,
    private readonly isHeadRequest: () => boolean = () => false,
  ) {}

  /** True while a response is partly read: a close now would cut it. */
  get midResponse(): boolean {
    return (this.state !== State.Head && this.state !== State.Done) || this.pending !== undefined;
  }

  /** Feed bytes as they arrive; they may be overwritten once this returns. Throws ProtocolError on a malformed response. */
  push(chunk: Buffer): void {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let offset = 0;
    while (offset < buf.length) {
      switch (this.state) {
        case State.Head: {
          // Empty lines before a status line are tolerated (llhttp does too): some servers send a CRLF
          // after a body or after an interim response.
          while (offset < buf.length && (buf[offset] === CR || buf[offset] === LF)) offset++;
          if (offset === buf.length) return;
          const repeat = this.repeatLength;
          if (repeat > 0 && buf.length - offset >= repeat && this.repeatsAt(buf, offset, repeat)) {
            offset += repeat;
            this.repeatMisses = 0;
            this.begin(this.repeatFacts);
            break;
          }
          const end = buf.indexOf(CRLF_CRLF, offset);
          if (end < 0) {
            // Whatever can already be judged is judged now, so that garbage or bare line breaks fail at
            // once instead of waiting for 64 KiB or a close.
            checkPrefix(buf, offset);
            checkLineBreaks(buf, offset, buf.length);
            if (buf.length - offset > MAX_HEAD_BYTES) throw new ProtocolError('response head larger than 64 KiB');
            this.pending = Buffer.from(buf.subarray(offset));
            return;
          }
          checkPrefix(buf, offset);
          // Line breaks are checked line by line on the string (lineEndAt), cheaper than on the bytes.
          const facts = readHead(buf.toString('latin1', offset, end));
          this.remember(buf, offset, end + 4, facts);
          offset = end + 4;
          this.begin(facts);
          break;
        }
        case State.FixedBody:
        case State.ChunkData: {
          const take = Math.min(this.remaining, buf.length - offset);
          offset += take;
          this.remaining -= take;
          if (this.remaining > 0) break;
          if (this.state === State.FixedBody) this.finish();
          else {
            this.remaining = 2;
            this.state = State.ChunkDataEnd;
          }
          break;
        }
        case State.ChunkDataEnd: {
          if (buf[offset] !== (this.remaining === 2 ? CR : LF)) throw new ProtocolError('chunk data not followed by CRLF');
          offset++;
          if (--this.remaining === 0) this.state = State.ChunkSize;
          break;
        }
        case State.ChunkSize:
        case State.Trailers: {
          const eol = buf.indexOf(LF, offset);
          if (eol < 0) {
            checkLineBreaks(buf, offset, buf.length);
            if (buf.length - offset > MAX_CHUNK_LINE_BYTES) throw new ProtocolError('chunk size line too long');
            this.pending = Buffer.from(buf.subarray(offset));
            return;
          }
          if (eol === offset || buf[eol - 1] !== CR) throw new ProtocolError('chunk line ends in a bare LF');
          const lineStart = offset;
          offset = eol + 1;
          if (this.state === State.ChunkSize) this.chunkSize(buf, lineStart, eol - 1);
          else if (eol - 1 === lineStart) this.finish();
          else if (buf.indexOf(CR, lineStart) < eol - 1) throw new ProtocolError('bare CR in a trailer');
          break;
        }
        case State.BodyUntilClose:
        case State.Done:
          return;
      }
    }
  }

  /** The connection closed: completes a response delimited by close, or reports a cut one. */
  end(): boolean {
    if (this.state === State.BodyUntilClose) {
      this.finish();
      return true;
    }
    return !this.midResponse;
  }

  /** The chunk-size line in buf[from, to) (its CRLF excluded): hex digits read from the bytes, extensions checked only when present. */
  private chunkSize(buf: Buffer, from: number, to: number): void {
    let size = 0;
    let significant = 0;
    let i = from;
    for (; i < to; i++) {
      const digit = HEX_VALUE[buf[i]!]!;
      if (digit < 0) break;
      if (significant > 0 || digit > 0) significant++;
      size = size * 16 + digit;
    }
    const bad = () => new ProtocolError(`bad chunk size line "${buf.toString('latin1', from, Math.min(to, from + 20))}"`);
    if (i === from) throw bad();
    if (significant > MAX_CHUNK_SIZE_DIGITS) throw new ProtocolError(`chunk size overflow "${buf.toString('latin1', from, Math.min(to, from + 20))}"`);
    if (i < to && !CHUNK_EXTENSIONS.test(buf.toString('latin1', i, to))) throw bad();
    if (size === 0) this.state = State.Trailers;
    else {
      this.remaining = size;
      this.state = State.ChunkData;
    }
  }

  /** A head was read in full (the repeat check missed, or was off): it becomes the one to compare with. */
  private remember(buf: Buffer, from: number, to: number, facts: HeadFacts | undefined): void {
    if (this.repeatPaused > 0) {
      this.repeatPaused--;
      return;
    }
    if (this.repeatLength > 0 && ++this.repeatMisses === REPEAT_MISSES_TO_PAUSE) {
      this.repeatMisses = 0;
      this.repeatPaused = REPEAT_PAUSE_HEADS;
    }
    if (to - from > REPEAT_HEAD_BYTES || this.repeatPaused > 0) {
      this.repeatLength = 0;
      return;
    }
    if (this.repeatBytes === undefined) {
      this.repeatBytes = Buffer.from(new ArrayBuffer(REPEAT_HEAD_BYTES));
      this.repeatWords = new Int32Array(this.repeatBytes.buffer);
    }
    buf.copy(this.repeatBytes, 0, from, to);
    this.repeatLength = to - from;
    this.repeatFacts = facts;
  }

  /** buf[offset, offset + length) equals the remembered head's bytes. */
  private repeatsAt(buf: Buffer, offset: number, length: number): boolean {
    const words = this.wordsUnder(buf);
    const at = buf.byteOffset + offset;
    if (words === undefined || (at & 3) !== 0) return buf.compare(this.repeatBytes!, 0, length, offset, offset + length) === 0;
    const mine = this.repeatWords!;
    const first = at >> 2;
    const whole = length >> 2;
    for (let i = 0; i < whole; i++) if (words[first + i] !== mine[i]) return false;
    const bytes = this.repeatBytes!;
    for (let i = whole << 2; i < length; i++) if (buf[offset + i] !== bytes[i]) return false;
    return true;
  }

  private wordsUnder(buf: Buffer): Int32Array | undefined {
    if (buf.buffer !== this.chunkArrayBuffer) {
      this.chunkArrayBuffer = buf.buffer;
      this.chunkWords = undefined;
      return undefined;
    }
    return (this.chunkWords ??= new Int32Array(buf.buffer, 0, buf.buffer.byteLength >> 2));
  }

  /** A final response's head was read: where its body ends. Undefined facts: an interim response (1xx), the final one follows. */
  private begin(facts: HeadFacts | undefined): void {
    if (facts === undefined) return;
    const { response, contentLength } = facts;
    const { status } = response;
    this.current = response;
    if (this.isHeadRequest() || status === 204 || status === 304) this.finish();
    else if (facts.chunked) this.state = State.ChunkSize;
    else if (contentLength > 0) {
      this.remaining = contentLength;
      this.state = State.FixedBody;
    } else if (contentLength === 0 || status === 101) this.finish();
    else {
      this.current = { ...response, close: true };
      this.state = State.BodyUntilClose;
    }
  }

  private finish(): void {
    const response = this.current!;
    this.current = undefined;
    // Bytes after a closing response are no response of ours: ignored until the close (llhttp's strict mode
    // errors on them; either way nothing more is read from this connection).
    this.state = response.close ? State.Done : State.Head;
    this.onResponse(response);
  }
}

/** Reads a response head (its blank line excluded); throws ProtocolError when malformed. Undefined: an interim 1xx. */
function readHead(head: string): HeadFacts | undefined {
  // "HTTP/1.1 200 OK": the version is 1.0 or 1.1, then one space, three digits, and a space or the end.
  const lineEnd = lineEndAt(head, 0);
  const minor = head.charCodeAt(7);
  if (!head.startsWith('HTTP/1.') || (minor !== 48 && minor !== 49) || head.charCodeAt(8) !== 32) {
    throw new ProtocolError(`bad HTTP version in "${head.slice(0, Math.min(lineEnd, 40))}"`);
  }
  const status = statusCode(head);
  if (status < 0 || (lineEnd > 12 && head.charCodeAt(12) !== 32)) throw new ProtocolError(`bad status line "${head.slice(0, Math.min(lineEnd, 40))}"`);
  let contentLength = -1;
  let transferEncoding: string | undefined;
  let sawClose = false;
  let sawKeepAlive = false;
  let serverTiming: string | undefined;
  let previous = '';
  let lineStart = lineEnd + 2;
  while (lineStart < head.length) {
    const end = lineEndAt(head, lineStart);
    const first = head.charCodeAt(lineStart);
    if (first === 32 || first === 9) {
      // obs-fold: a continuation of the previous header's value. Refused right after the status line and
      // for the framing headers (a folded length is a smuggling vector), skipped for any other header.
      if (previous === '' || previous === 'content-length' || previous === 'transfer-encoding') {
        throw new ProtocolError(`unexpected whitespace at the start of a header line${previous ? ` (folded ${previous})` : ''}`);
      }
      lineStart = end + 2;
      continue;
    }
    const colon = tokenEnd(head, lineStart, end);
    if (colon === lineStart || head.charCodeAt(colon) !== 58) {
      throw new ProtocolError(`bad header line "${head.slice(lineStart, Math.min(end, lineStart + 40))}" (expected a name of token characters, then ":")`);
    }
    const name = framingName(head, lineStart, colon);
    previous = name;
    lineStart = end + 2;
    if (name === 'content-length') {
      const value = trimOws(head, colon + 1, end);
      if (contentLength >= 0) throw new ProtocolError('more than one Content-Length');
      contentLength = decimalValue(value);
      if (contentLength < 0) throw new ProtocolError(`bad Content-Length "${value.slice(0, 20)}"`);
    } else if (name === 'transfer-encoding') {
      const value = trimOws(head, colon + 1, end);
      if (value === '') throw new ProtocolError('empty Transfer-Encoding');
      transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
    } else if (name === 'connection') {
      // The common single values first: splitting a list allocates, on every response of most servers.
      const value = trimOws(head, colon + 1, end).toLowerCase();
      if (value === 'keep-alive') sawKeepAlive = true;
      else if (value === 'close') sawClose = true;
      else {
        for (const token of value.split(',')) {
          const t = token.trim();
          if (t === 'close') sawClose = true;
          else if (t === 'keep-alive') sawKeepAlive = true;
        }
      }
    } else if (name === 'server-timing') {
      const value = trimOws(head, colon + 1, end);
      serverTiming = serverTiming ? `${serverTiming}, ${value}` : value;
    }
  }
  if (transferEncoding !== undefined && contentLength >= 0) throw new ProtocolError('both Content-Length and Transfer-Encoding');
  // 1xx are interim, the real response follows on the same request; 101 is final: the protocol changed.
  if (status < 200 && status !== 101) return undefined;
  return {
    response: { status, close: sawClose || status === 101 || (minor === 48 && !sawKeepAlive), serverTiming },
    contentLength,
    // chunked counts only as the final coding; before another one, the body runs to the close (RFC 9112 6.3).
    chunked: transferEncoding !== undefined && finalCoding(transferEncoding) === 'chunked',
  };
}

/** Fails at once when a response does not start with "HTTP/" (as far as the bytes go). */
function checkPrefix(buf: Buffer, offset: number): void {
  const n = Math.min(HTTP_PREFIX.length, buf.length - offset);
  for (let i = 0; i < n; i++) {
    if (buf[offset + i] !== HTTP_PREFIX[i]) throw new ProtocolError(`not an HTTP/1.x response: "${buf.toString('latin1', offset, Math.min(buf.length, offset + 20))}"`);
  }
}

/**
 * Lines end in CRLF and nowhere else: a bare LF or a bare CR in [from, to) is a ProtocolError (llhttp's
 * strict mode; a lenient reading lets a CR swallow the next header into the previous line). A CR as the
 * very last byte may still be followed by its LF.
 */
function checkLineBreaks(buf: Buffer, from: number, to: number): void {
  let lfs = 0;
  for (let i = buf.indexOf(LF, from); i >= 0 && i < to; i = buf.indexOf(LF, i + 1)) {
    if (i === from || buf[i - 1] !== CR) throw new ProtocolError('line ends in a bare LF (expected CRLF)');
    lfs++;
  }
  let crs = 0;
  for (let i = buf.indexOf(CR, from); i >= 0 && i < to; i = buf.indexOf(CR, i + 1)) crs++;
  const trailingCr = to === buf.length && buf[to - 1] === CR ? 1 : 0;
  if (crs - trailingCr !== lfs) throw new ProtocolError('bare CR in a response head (expected CRLF)');
}

/**
 * Where the line starting at `from` ends (its CR, or the end of the head), checking that it holds no bare
 * CR or LF: lines end in CRLF and nowhere else (llhttp's strict mode; read leniently, a CR lets the next
 * header be swallowed into the previous line).
 */
function lineEndAt(head: string, from: number): number {
  const cr = head.indexOf('\r', from);
  const lf = head.indexOf('\n', from);
  if (cr < 0) {
    if (lf >= 0) throw new ProtocolError('line ends in a bare LF (expected CRLF)');
    return head.length;
  }
  if (lf !== cr + 1) throw new ProtocolError(lf >= 0 && lf < cr ? 'line ends in a bare LF (expected CRLF)' : 'bare CR in a response head (expected CRLF)');
  return cr;
}

/** The four header names the parser acts on, each at its own length. */
const FRAMING_NAMES = new Map(['content-length', 'transfer-encoding', 'connection', 'server-timing'].map((n) => [n.length, n]));

/**
 * The lower-case name of the header head[from, to) if it is one of FRAMING_NAMES, else '-'. Compared in
 * place, ASCII case folded: a slice and a lower-cased copy of two headers per response were a measurable
 * share of the closed loop's time. `| 0x20` lower-cases a letter, and turns no other token character (the
 * name was checked to be a token) into a lower-case letter or '-'.
 */
function framingName(head: string, from: number, to: number): string {
  const name = FRAMING_NAMES.get(to - from);
  if (name === undefined) return '-';
  for (let i = 0; i < name.length; i++) if ((head.charCodeAt(from + i) | 0x20) !== name.charCodeAt(i)) return '-';
  return name;
}

/** RFC 9110 token characters, by char code. */
const TOKEN_CHARS = (() => {
  const table = new Uint8Array(128);
  for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") table[c.charCodeAt(0)] = 1;
  return table;
})();

/** The first index in [from, to) that is not a token character, or `to`. */
function tokenEnd(text: string, from: number, to: number): number {
  let i = from;
  while (i < to && TOKEN_CHARS[text.charCodeAt(i)] === 1) i++;
  return i;
}

/** 1 to 15 decimal digits and nothing else (no sign, no "0x", not empty: Number() would take all three), or -1. */
function decimalValue(text: string): number {
  if (text.length === 0 || text.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (!(c >= 0 && c <= 9)) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** The three digits at 9..11, or -1. */
function statusCode(head: string): number {
  let status = 0;
  for (let i = 9; i < 12; i++) {
    const c = head.charCodeAt(i) - 48;
    if (!(c >= 0 && c <= 9)) return -1;
    status = status * 10 + c;
  }
  return status >= 100 ? status : -1;
}

/** The value between `from` and `to` without the optional whitespace (SP, HTAB) around it. */
function trimOws(text: string, from: number, to: number): string {
  let a = from;
  let b = to;
  while (a < b && (text.charCodeAt(a) === 32 || text.charCodeAt(a) === 9)) a++;
  while (b > a && (text.charCodeAt(b - 1) === 32 || text.charCodeAt(b - 1) === 9)) b--;
  return text.slice(a, b);
}

function finalCoding(transferEncoding: string): string {
  const last = transferEncoding.lastIndexOf(',');
  return trimOws(transferEncoding, last + 1, transferEncoding.length).toLowerCase();
}
