/**
 * HTTP/2 connection errors (RFC 9113 section 5.4.1): each carries the error code that the GOAWAY sent
 * before closing names. The engine counts any of them as a `protocol` error of the requests in flight.
 */

import { ProtocolError } from '../http1/response-parser.js';

/** Error codes of RFC 9113 section 7 that hopscope sends, or tells apart on receipt (NO_ERROR). */
export const ErrorCode = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  FLOW_CONTROL_ERROR: 0x3,
  FRAME_SIZE_ERROR: 0x6,
  COMPRESSION_ERROR: 0x9,
} as const;

export class Http2Error extends ProtocolError {
  constructor(
    message: string,
    readonly code: number = ErrorCode.PROTOCOL_ERROR,
  ) {
    super(message);
  }
}

/** A header block that does not decode (RFC 7541): the shared HPACK state is lost, so the connection is. */
export class CompressionError extends Http2Error {
  constructor(message: string) {
    super(message, ErrorCode.COMPRESSION_ERROR);
  }
}
