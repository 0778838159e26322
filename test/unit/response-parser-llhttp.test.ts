/**
 * The response parser against the response cases of llhttp's test suite (Node's own HTTP parser,
 * nodejs/llhttp test/response/*.md, strict mode; the lenient-mode variants are left out), case by case,
 * transcribed as inputs and outcomes: the statuses completed in order, whether the last one completes only
 * at the close (a close-delimited body), and whether the bytes are a protocol error. Every case runs twice:
 * in one chunk, and split at every byte, since a load test meets both.
 *
 * Where hopscope differs from llhttp on purpose, the case says so (`differs`): it speaks HTTP/1.0 and
 * HTTP/1.1 only (llhttp also reads RTSP, ICE and HTTP/0.9 status lines), and it ignores bytes after a
 * closing response instead of flagging them, since it closes that connection either way.
 */

import { describe, expect, it } from 'vitest';
import { ProtocolError, ResponseParser } from '../../src/load/http1/response-parser.js';

interface Case {
  name: string;
  input: string;
  /** Statuses of the complete responses, in order. */
  statuses?: number[];
  /** The last status completes only when the connection closes. */
  atClose?: boolean;
  /** A protocol error (after the statuses listed, if any). */
  error?: true;
  /** The first response's close flag. */
  close?: boolean;
  /** Why hopscope departs from llhttp here. */
  differs?: string;
}

const CASES: Case[] = [
  // --- sample.md
  { name: 'simple response', input: 'HTTP/1.1 200 OK\r\nHeader1: Value1\r\nHeader2:\t Value2\r\nContent-Length: 0\r\n\r\n', statuses: [200] },
  { name: 'RTSP response', input: 'RTSP/1.1 200 OK\r\n\r\n', error: true, differs: 'not HTTP' },
  { name: 'ICE response', input: 'ICE/1.1 200 OK\r\n\r\n', error: true, differs: 'not HTTP' },
  { name: 'error on invalid response start', input: 'HTTPER/1.1 200 OK\r\n\r\n', error: true },
  { name: 'empty body, no framing: delimited by the close', input: 'HTTP/1.1 200 OK\r\n\r\n', statuses: [200], atClose: true },
  {
    name: 'Google 301 (spaces around the Content-Length value)',
    input: 'HTTP/1.1 301 Moved Permanently\r\nLocation: http://www.google.com/\r\nX-$PrototypeBI-Version: 1.6.0.3\r\nContent-Length:  5  \r\n\r\n<HTM',
    statuses: [],
  },
  {
    name: 'Google 301, body complete',
    input: 'HTTP/1.1 301 Moved Permanently\r\nX-$PrototypeBI-Version: 1.6.0.3\r\nContent-Length:  5  \r\n\r\n<HTML',
    statuses: [301],
  },
  {
    name: 'amazon.com (chunked, one LF chunk)',
    input: 'HTTP/1.1 301 MovedPermanently\r\nx-amz-id-1: 0GPHKXSJQ826RK7GZEB2\r\np3p: policyref="http://www.amazon.com/w3c/p3p.xml",CP="CAO DSP"\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n\n\r\n0\r\n\r\n',
    statuses: [301],
  },
  { name: 'no headers and no body', input: 'HTTP/1.1 404 Not Found\r\n\r\n', statuses: [404], atClose: true },
  { name: 'no reason phrase', input: 'HTTP/1.1 301\r\n\r\n', statuses: [301], atClose: true },
  { name: 'empty reason phrase after space', input: 'HTTP/1.1 200 \r\n\r\n', statuses: [200], atClose: true },
  { name: 'no carriage return (LF only)', input: 'HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\nConnection: close\n\nthese headers', error: true },
  {
    name: 'underscore in a header name',
    input: 'HTTP/1.1 200 OK\r\nServer: DCLK-AdSvr\r\nContent-Length: 0\r\nDCLK_imp: v7;x;114750856;0-0;0;17820020\r\n\r\n',
    statuses: [200],
  },
  {
    name: 'bonjourmadame.fr (an empty header value, HTTP/1.0 keep-alive)',
    input: 'HTTP/1.0 301 Moved Permanently\r\nCache-Control: public\r\nPragma: \r\nLocation: http://www.bonjourmadame.fr/\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n',
    statuses: [301],
    close: false,
  },
  {
    name: 'spaces in header values, odd header names, chunked',
    input: 'HTTP/1.1 200 OK\r\nCache-Control: no-cache, must-revalidate\r\n.et-Cookie: PlaxoCS=1274804622353690521; path=/\r\n_eep-Alive: timeout=45\r\n_onnection: Keep-Alive\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n',
    statuses: [200],
    close: true,
  },
  { name: 'spaces in a header name', input: 'HTTP/1.1 200 OK\r\nServer: Microsoft-IIS/6.0\r\nen-US Content-Type: text/xml\r\nContent-Length: 16\r\n\r\n<xml>hello</xml>', error: true },
  { name: 'non-ASCII in the status line', input: 'HTTP/1.1 500 Ori\u00ebntatieprobleem\r\nContent-Length: 0\r\nConnection: close\r\n\r\n', statuses: [500], close: true },
  { name: 'HTTP version 0.9', input: 'HTTP/0.9 200 OK\r\n\r\n', error: true, differs: 'HTTP/1.0 and 1.1 only' },
  { name: 'no Content-Length, no Transfer-Encoding', input: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhello world', statuses: [200], atClose: true },
  { name: 'response starting with CRLF', input: '\r\nHTTP/1.1 200 OK\r\nHeader1: Value1\r\nContent-Length: 0\r\n\r\n', statuses: [200] },

  // --- invalid.md
  { name: 'incomplete HTTP protocol', input: 'HTP/1.1 200 OK\r\n\r\n', error: true },
  { name: 'extra digit in the major version', input: 'HTTP/01.1 200 OK\r\n\r\n', error: true },
  { name: 'extra digit in the major version #2', input: 'HTTP/11.1 200 OK\r\n\r\n', error: true },
  { name: 'extra digit in the minor version', input: 'HTTP/1.01 200 OK\r\n\r\n', error: true },
  { name: 'tab after the version', input: 'HTTP/1.1\t200 OK\r\n\r\n', error: true },
  { name: 'CR before the response and tab after the version', input: '\rHTTP/1.1\t200 OK\r\n\r\n', error: true },
  { name: 'headers separated by a bare CR', input: 'HTTP/1.1 200 OK\r\nFoo: 1\rBar: 2\r\n\r\n', error: true },
  { name: 'invalid HTTP version', input: 'HTTP/5.6 200 OK\r\n\r\n', error: true },
  { name: 'space after the start line', input: 'HTTP/1.1 200 OK\r\n Host: foo\r\n\r\n', error: true },
  { name: 'extra space between version and status', input: 'HTTP/1.1  200 OK\r\n\r\n', error: true },
  { name: 'extra space between status and reason', input: 'HTTP/1.1 200  OK\r\n\r\n', statuses: [200], atClose: true },
  { name: 'one-digit status code', input: 'HTTP/1.1 2 OK\r\n\r\n', error: true },
  { name: 'only LFs, no body', input: 'HTTP/1.1 200 OK\nContent-Length: 0\n\n', error: true },
  { name: 'only LFs', input: 'HTTP/1.1 200 OK\nFoo: abc\nBar: def\n\nBODY\n', error: true },

  // --- connection.md
  {
    name: 'Proxy-Connection is not Connection',
    input: 'HTTP/1.1 200 OK\r\nContent-Length: 11\r\nProxy-Connection: close\r\n\r\nhello world',
    statuses: [200],
    close: false,
  },
  { name: 'HTTP/1.0 keep-alive, EOF-terminated 200', input: 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\nHTTP/1.0 200 OK', statuses: [200], atClose: true, close: true },
  { name: 'HTTP/1.0 keep-alive and 204: no body', input: 'HTTP/1.0 204 No content\r\nConnection: keep-alive\r\n\r\nHTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n', statuses: [204, 200] },
  { name: 'HTTP/1.1, EOF-terminated 200', input: 'HTTP/1.1 200 OK\r\n\r\nHTTP/1.1 200 OK', statuses: [200], atClose: true },
  { name: 'HTTP/1.1 with 204: no body', input: 'HTTP/1.1 204 No content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', statuses: [204, 200] },
  {
    name: 'HTTP/1.1 close and 204, data after',
    input: 'HTTP/1.1 204 No content\r\nConnection: close\r\n\r\nHTTP/1.1 200 OK',
    statuses: [204],
    close: true,
    differs: 'data after a closing response is ignored, not an error',
  },
  {
    name: 'HTTP/1.1 close with Content-Length, data after',
    input: 'HTTP/1.1 200 No content\r\nContent-Length: 5\r\nConnection: close\r\n\r\n2ad731e3-4dcd-4f70-b871-0ad284b29ffc',
    statuses: [200],
    close: true,
    differs: 'data after a closing response is ignored, not an error',
  },
  { name: '101 with Upgrade and Content-Length: final, not interim', input: 'HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: h2c\r\nContent-Length: 4\r\n\r\nbodyproto', statuses: [101], close: true },
  {
    name: '101 with Upgrade and chunked',
    input: 'HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: h2c\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nbo\r\n2\r\ndy\r\n0\r\n\r\nproto',
    statuses: [101],
    close: true,
  },
  { name: '200 with an Upgrade header, no framing', input: 'HTTP/1.1 200 OK\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\nbody', statuses: [200], atClose: true },
  { name: '200 with an Upgrade header and Content-Length', input: 'HTTP/1.1 200 OK\r\nConnection: upgrade\r\nUpgrade: h2c\r\nContent-Length: 4\r\n\r\nbody', statuses: [200], close: false },
  {
    name: '200 with an Upgrade header and chunked',
    input: 'HTTP/1.1 200 OK\r\nConnection: upgrade\r\nUpgrade: h2c\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nbo\r\n2\r\ndy\r\n0\r\n\r\n',
    statuses: [200],
  },

  // --- content-length.md
  { name: 'no Content-Length but a body, Connection: close', input: 'HTTP/1.1 200 OK\r\nServer: Apache\r\nConnection: close\r\n\r\n<?xml version="1.0"?>\n<SOAP-ENV:Envelope/>', statuses: [200], atClose: true },
  { name: 'Content-Length-X is not Content-Length', input: 'HTTP/1.1 200 OK\r\nContent-Length-X: 0\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nOK\r\n0\r\n\r\n', statuses: [200] },
  { name: 'tabs around the Content-Length value', input: 'HTTP/1.1 200 OK\r\nContent-Length:\t2\t\r\n\r\nok', statuses: [200] },

  // --- transfer-encoding.md
  { name: 'empty Transfer-Encoding with Content-Length', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\nContent-Length: 5\r\n\r\nhello', error: true },
  { name: 'trailing space after a chunk size', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n25  \r\nThis is the data in the first chunk\r\n0\r\n\r\n', error: true },
  { name: 'chunked before another coding: delimited by the close', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, deflate\r\n\r\nWorld', statuses: [200], atClose: true },
  { name: 'several Transfer-Encoding lines, chunked not last', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\nWorld', statuses: [200], atClose: true },
  { name: '"chunkedchunked" is not chunked', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunkedchunked\r\n\r\n2\r\nOK\r\n0\r\n\r\n', statuses: [200], atClose: true },
  {
    name: 'chunk extensions',
    input: 'HTTP/1.1 200 OK\r\nTransfer-encoding: chunked\r\n\r\n5;ilovew3;somuchlove=aretheseparametersfor\r\nhello\r\n6;blahblah;blah\r\n world\r\n0\r\n\r\n',
    statuses: [200],
  },
  { name: 'no semicolon before chunk extensions', input: 'HTTP/1.1 200 OK\r\nTransfer-encoding: chunked\r\n\r\n2 erfrferferf\r\naa\r\n0 rrrr\r\n\r\n', error: true },
  { name: 'no extension after a semicolon', input: 'HTTP/1.1 200 OK\r\nTransfer-encoding: chunked\r\n\r\n2;\r\naa\r\n0\r\n\r\n', error: true },
  {
    name: 'quoted chunk extensions',
    input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ilovew3="I love; extensions";somuchlove="aretheseparametersfor";blah;foo=bar\r\nhello\r\n6;blahblah;blah\r\n world\r\n0\r\n\r\n',
    statuses: [200],
  },
  { name: 'unbalanced quotes in chunk extensions', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ilovew3="abc";somuchlove="def; ghi\r\nhello\r\n0\r\n\r\n', error: true },
  { name: 'obs-fold after a chunked value', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n  abc\r\n\r\n5\r\nWorld\r\n0\r\n\r\n', error: true },

  // --- pipelining.md, finish.md
  {
    name: 'several pipelined responses, CRLF between them',
    input: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nAAA\r\nHTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\nBBBB\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 5\r\n\r\nCCCC',
    statuses: [200, 201],
  },
  { name: 'finish after an empty response', input: 'HTTP/1.1 200 OK\r\n\r\n', statuses: [200], atClose: true },

  // --- the cases of issue 13 that real servers send, and strictness llhttp has beyond its .md files
  { name: "aiohttp's 100 Continue followed by a CRLF", input: 'HTTP/1.1 100 Continue\r\n\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', statuses: [200] },
  { name: 'a CRLF after a 304', input: 'HTTP/1.1 304 Not Modified\r\n\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', statuses: [304, 200] },
  { name: 'a bare CR swallowing Content-Length into the status line', input: 'HTTP/1.1 200 OK\rContent-Length: 2\r\n\r\nok', error: true },
  { name: 'an empty Content-Length', input: 'HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n', error: true },
  { name: 'a hex Content-Length', input: 'HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n0123456789abcdef', error: true },
  { name: 'two Content-Length headers', input: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nok', error: true },
  { name: 'a space before the colon', input: 'HTTP/1.1 200 OK\r\nContent-Length : 4\r\n\r\nbody', error: true },
  { name: 'Content-Length with Transfer-Encoding', input: 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', error: true },
  { name: 'chunk data not followed by CRLF', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXY0\r\n\r\n', error: true },
  { name: 'a chunk size that overflows', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF\r\n', error: true },
  { name: 'a chunk size line ending in a bare LF', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nok\r\n0\r\n\r\n', error: true },
  { name: 'Transfer-Encoding in another case', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n', statuses: [200] },
  { name: 'Connection: keep-alive, close (a token list)', input: 'HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n', statuses: [200], close: true },
  { name: 'a header line without a colon', input: 'HTTP/1.1 200 OK\r\nContent-Length 0\r\n\r\n', error: true },
  { name: 'a header folded onto Content-Length', input: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n 2\r\n\r\nok', error: true },
];

interface Outcome {
  statuses: number[];
  closes: boolean[];
  atClose: boolean;
  error: boolean;
}

function run(input: string, split: boolean): Outcome {
  const out: Outcome = { statuses: [], closes: [], atClose: false, error: false };
  const parser = new ResponseParser((r) => {
    out.statuses.push(r.status);
    out.closes.push(r.close);
  });
  const bytes = Buffer.from(input, 'latin1');
  try {
    if (split) for (let i = 0; i < bytes.length; i++) parser.push(bytes.subarray(i, i + 1));
    else parser.push(bytes);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    out.error = true;
    return out;
  }
  const before = out.statuses.length;
  parser.end();
  out.atClose = out.statuses.length > before;
  return out;
}

describe.each([
  ['in one chunk', false],
  ['split at every byte', true],
])("llhttp's response cases, %s", (_how, split) => {
  it.each(CASES.map((c) => [c.differs ? `${c.name} (differs from llhttp: ${c.differs})` : c.name, c] as const))('%s', (_name, c) => {
    const got = run(c.input, split);
    expect(got.error).toBe(c.error === true);
    if (c.statuses) expect(got.statuses).toEqual(c.statuses);
    expect(got.atClose).toBe(c.atClose === true);
    if (c.close !== undefined) expect(got.closes[0]).toBe(c.close);
  });
});

it('never stalls: a malformed head fails before 64 KiB or a close, as soon as its first line break arrives', () => {
  for (const head of ['HTTP/1.1 200 OK\n', 'HTTP/1.1 200 OK\rX', 'SSH-2.0-OpenSSH_9.2']) {
    const parser = new ResponseParser(() => undefined);
    expect(() => parser.push(Buffer.from(head, 'latin1'))).toThrow(ProtocolError);
  }
});
