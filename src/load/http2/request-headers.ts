/**
 * Request header blocks for the mix's requests, HPACK-encoded once per request template: only the path of a
 * templated request (`/v1/items/{id}`) is encoded per request. Nothing uses the dynamic table, so one block
 * serves every connection and stream.
 */

import type { RequestMix, RequestParts } from '../request-mix.js';
import { encodeField } from './hpack.js';

/** Connection-specific headers HTTP/2 forbids (RFC 9113 section 8.2.2); Host becomes :authority. */
const DROPPED = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

interface Template {
  /** :method, :scheme, :authority: what comes before :path. */
  before: Buffer;
  /** The regular headers, after the pseudo-headers. */
  after: Buffer;
  path: string;
  block: Buffer;
}

export interface EncodedRequest {
  block: Buffer;
  body: Buffer | undefined;
}

export class RequestHeaderBlocks {
  private readonly templates = new Map<number, Template>();

  constructor(
    private readonly mix: RequestMix,
    private readonly scheme: 'http' | 'https',
  ) {}

  /** One instance of the request: a fresh draw of its path variables, if it has any. */
  next(requestIndex: number): EncodedRequest {
    const parts = this.mix.describe(requestIndex);
    let template = this.templates.get(requestIndex);
    if (!template) {
      template = this.compile(parts);
      this.templates.set(requestIndex, template);
    } else if (template.path !== parts.path) {
      const path: number[] = [];
      encodeField(path, ':path', parts.path);
      template.path = parts.path;
      template.block = Buffer.concat([template.before, Buffer.from(path), template.after]);
    }
    return { block: template.block, body: parts.body };
  }

  private compile(parts: RequestParts): Template {
    let authority = parts.authority;
    const regular: number[] = [];
    // Scenario header names may have any case; HTTP/2 wants them in lower case.
    for (const [name, value] of Object.entries(parts.headers)) {
      const lower = name.toLowerCase();
      if (lower === 'host') authority = value;
      else if (!DROPPED.has(lower) && lower !== 'content-length') encodeField(regular, lower, value);
    }
    if (parts.body !== undefined) encodeField(regular, 'content-length', String(parts.body.length));
    const before: number[] = [];
    encodeField(before, ':method', parts.method);
    encodeField(before, ':scheme', this.scheme);
    encodeField(before, ':authority', authority);
    const path: number[] = [];
    encodeField(path, ':path', parts.path);
    const template = { before: Buffer.from(before), after: Buffer.from(regular), path: parts.path };
    return { ...template, block: Buffer.concat([template.before, Buffer.from(path), template.after]) };
  }
}
