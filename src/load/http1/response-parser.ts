/**
 * Incremental HTTP/1.1 response parser for the load engine's own client.
 *
 * Why not undici or node:http: the generator is the bottleneck of a Node load tool (see bench/engine.ts),
 * and this parser does only what a load generator needs: find each response's end (Content-Length,
 * chunked, or connection close), its status, whether the server will close, and one header of interest
 * (Server-Timing). Bodies are skipped, never copied.
 */

export interface ParsedResponse {
  status: number;
  /** The server said `Connection: close` (or spoke HTTP/1.0 without keep-alive). */
  close: boolean;
  /** Raw value of the Server-Timing header, when the response had one. */
  serverTiming: string | undefined;
}

export class ProtocolError extends Error {}

const CRLF_CRLF = Buffer.from('\r\n\r\n');
const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_LINE_BYTES = 1024;

const enum State {
  Head,
  FixedBody,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  BodyUntilClose,
}

export class ResponseParser {
  private state = State.Head;
  private pending: Buffer | undefined;
  private remaining = 0;
  private current: ParsedResponse | undefined;

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
    return this.state !== State.Head || this.pending !== undefined;
  }

  /** Feed bytes as they arrive; they may be overwritten once this returns. Throws ProtocolError on a malformed response. */
  push(chunk: Buffer): void {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let offset = 0;
    while (offset < buf.length) {
      switch (this.state) {
        case State.Head: {
          const end = buf.indexOf(CRLF_CRLF, offset);
          if (end < 0) {
            if (buf.length - offset > MAX_HEAD_BYTES) throw new ProtocolError('response head larger than 64 KiB');
            this.pending = Buffer.from(buf.subarray(offset));
            return;
          }
          this.parseHead(buf.toString('latin1', offset, end));
          offset = end + 4;
          break;
        }
        case State.FixedBody: {
          const take = Math.min(this.remaining, buf.length - offset);
          offset += take;
          this.remaining -= take;
          if (this.remaining === 0) this.finish();
          break;
        }
        case State.ChunkSize:
        case State.Trailers: {
          const eol = buf.indexOf(13, offset);
          if (eol < 0 || eol + 1 >= buf.length) {
            if (buf.length - offset > MAX_CHUNK_LINE_BYTES) throw new ProtocolError('chunk size line too long');
            this.pending = Buffer.from(buf.subarray(offset));
            return;
          }
          if (buf[eol + 1] !== 10) throw new ProtocolError('chunk line not terminated by CRLF');
          const line = buf.toString('latin1', offset, eol);
          offset = eol + 2;
          if (this.state === State.Trailers) {
            if (line.length === 0) this.finish();
            break;
          }
          const size = parseInt(line, 16);
          if (!Number.isFinite(size) || size < 0 || !/^[0-9a-fA-F]+/.test(line)) {
            throw new ProtocolError(`bad chunk size "${line.slice(0, 20)}"`);
          }
          if (size === 0) this.state = State.Trailers;
          else {
            this.remaining = size;
            this.state = State.ChunkData;
          }
          break;
        }
        case State.ChunkData: {
          const take = Math.min(this.remaining, buf.length - offset);
          offset += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.remaining = 2;
            this.state = State.ChunkDataEnd;
          }
          break;
        }
        case State.ChunkDataEnd: {
          const take = Math.min(this.remaining, buf.length - offset);
          offset += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = State.ChunkSize;
          break;
        }
        case State.BodyUntilClose:
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

  private parseHead(head: string): void {
    // "HTTP/1.1 200 OK": the status is always at bytes 9..11.
    if (!head.startsWith('HTTP/1.')) throw new ProtocolError(`not an HTTP/1.x response: "${head.slice(0, 20)}"`);
    const status = Number(head.slice(9, 12));
    if (!(status >= 100 && status <= 599)) throw new ProtocolError(`bad status line "${head.split('\r\n', 1)[0]}"`);
    const http10 = head.charCodeAt(7) === 48;
    let contentLength = -1;
    let chunked = false;
    let close = http10;
    let serverTiming: string | undefined;
    let lineStart = head.indexOf('\r\n') + 2;
    while (lineStart > 1 && lineStart < head.length) {
      let lineEnd = head.indexOf('\r\n', lineStart);
      if (lineEnd < 0) lineEnd = head.length;
      const colon = head.indexOf(':', lineStart);
      if (colon > lineStart && colon < lineEnd) {
        const name = head.slice(lineStart, colon).toLowerCase();
        const value = head.slice(colon + 1, lineEnd).trim();
        if (name === 'content-length') {
          contentLength = Number(value);
          if (!Number.isSafeInteger(contentLength) || contentLength < 0) {
            throw new ProtocolError(`bad Content-Length "${value}"`);
          }
        } else if (name === 'transfer-encoding') chunked = value.toLowerCase().includes('chunked');
        else if (name === 'connection') {
          const v = value.toLowerCase();
          if (v.includes('close')) close = true;
          else if (v.includes('keep-alive')) close = false;
        } else if (name === 'server-timing') serverTiming = serverTiming ? `${serverTiming}, ${value}` : value;
      }
      lineStart = lineEnd + 2;
    }
    // 1xx are interim: the real response follows on the same request.
    if (status < 200) return;
    this.current = { status, close, serverTiming };
    if (this.isHeadRequest() || status === 204 || status === 304) this.finish();
    else if (chunked) this.state = State.ChunkSize;
    else if (contentLength >= 0) {
      this.remaining = contentLength;
      if (contentLength === 0) this.finish();
      else this.state = State.FixedBody;
    } else {
      this.current.close = true;
      this.state = State.BodyUntilClose;
    }
  }

  private finish(): void {
    const response = this.current!;
    this.current = undefined;
    this.state = State.Head;
    this.onResponse(response);
  }
}
