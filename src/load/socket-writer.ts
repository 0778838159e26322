/**
 * Writes a plain TCP socket's requests straight to its libuv handle, past Node's Writable stream.
 *
 * `socket.write` of a request the kernel takes at once (every request, against a server that reads) still
 * goes through the stream's machinery: `Writable.write`, a WriteWrap made per write, the write's callback
 * and an after-write tick. The handle's own `writeBuffer` is the same `write(2)` without them: 0.96-0.97x
 * the CPU of `socket.write` per request, one request at a time against nginx (bench/write-path.ts, 3 runs
 * of 40 alternating pairs of blocks: ~1 us of a 26-us round trip); in the closed loop, 50 connections
 * (10 alternating rounds of 5 s), 1.09x the requests a second and 0.93x the CPU per request.
 *
 * `writeBuffer` wants a WriteWrap for a write that does not complete at once, and Node keeps that class to
 * itself: `process.binding('stream_wrap')` still gives it (deprecated in Node 20's documentation, with a
 * warning only under `--pending-deprecation`). Where it does not, under `--pending-deprecation` (no
 * warning of ours), and for TLS sockets (their handle encrypts), sockets are written with `socket.write`.
 */

import type { Socket } from 'node:net';
import { startedWith } from '../node-flags.js';

interface WriteReq {
  buffer?: Uint8Array;
  oncomplete?: (status: number) => void;
}

interface StreamWrap {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

interface StreamHandle {
  /** 0, or a negative errno; the write went to libuv's queue when streamBaseState[kLastWriteWasAsync] is set. */
  writeBuffer(req: WriteReq, data: Uint8Array): number;
}

let streamWrap: StreamWrap | null | undefined;

function streamWrapBinding(): StreamWrap | null {
  if (streamWrap !== undefined) return streamWrap;
  streamWrap = null;
  if (startedWith(/--pending-deprecation\b/)) return streamWrap;
  try {
    const binding = (process as unknown as { binding(name: string): Partial<StreamWrap> }).binding('stream_wrap');
    if (typeof binding.WriteWrap === 'function' && binding.streamBaseState instanceof Int32Array && typeof binding.kLastWriteWasAsync === 'number') {
      streamWrap = binding as StreamWrap;
    }
  } catch {
    // A Node without it: socket.write.
  }
  return streamWrap;
}

const handleOf = (socket: Socket) => (socket as unknown as { _handle?: StreamHandle | null })._handle;

/**
 * Whether socketWriter writes this socket to its handle (else with socket.write): a socket of node:net, which
 * has its handle from connect() on, and not TLS.
 */
export function writesToHandle(socket: Socket): boolean {
  return !(socket as { encrypted?: boolean }).encrypted && typeof handleOf(socket)?.writeBuffer === 'function' && streamWrapBinding() !== null;
}

/** A function that writes `data` to `socket`, in order with every earlier write; a failed write destroys the socket. */
export function socketWriter(socket: Socket): (data: Uint8Array) => void {
  const wrap = writesToHandle(socket) ? streamWrapBinding()! : null;
  if (!wrap) return (data) => void socket.write(data);
  const failed = (status: number) => {
    if (status < 0) socket.destroy();
  };
  const nextReq = () => {
    const req = new wrap.WriteWrap();
    req.oncomplete = failed;
    return req;
  };
  let req = nextReq();
  return (data) => {
    const handle = handleOf(socket);
    // No handle: the socket is closed or closing, and its 'close' reports what was in flight.
    if (!handle) return;
    const status = handle.writeBuffer(req, data);
    if (status < 0) {
      socket.destroy();
      return;
    }
    if (wrap.streamBaseState[wrap.kLastWriteWasAsync] !== 0) {
      // The kernel took part of it: libuv writes the rest as the socket drains (later writes queue behind it,
      // in order), and this req reports the end. The bytes must outlive the call; the next write needs a req
      // of its own.
      req.buffer = data;
      req = nextReq();
    }
  };
}
