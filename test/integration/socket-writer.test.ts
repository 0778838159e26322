/**
 * socketWriter over real loopback sockets: the bytes arrive whole and in order when the kernel takes them at
 * once and when it does not (a server that stops reading, so that writes go to libuv's queue), and a write
 * the peer can no longer take closes the socket.
 */

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { socketWriter, writesToHandle } from '../../src/load/socket-writer.js';
import { makeServiceCertificates } from '../../src/runtime/tls/certificates.js';

const servers: Server[] = [];
/** Both ends of every connection: a server closes only once its connections have. */
const sockets: Socket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.destroy());
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen(onConnection: (peer: Socket) => void): Promise<number> {
  const server = createServer((peer) => {
    sockets.push(peer);
    onConnection(peer);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function dial(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return socket;
}

/** Chunks of distinct bytes: a reordered or repeated chunk changes the digest. */
function chunks(count: number, bytes: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.alloc(bytes, `${i % 251},`));
}

const digest = (data: Buffer[]) => createHash('sha256').update(Buffer.concat(data)).digest('hex');

describe('socketWriter', () => {
  it("writes a plain TCP socket to its handle, in order, whether the kernel takes the bytes at once or libuv queues them", async () => {
    const sent = chunks(96, 256 * 1024);
    const total = sent.length * sent[0]!.length;
    const received: Buffer[] = [];
    let peerConnected: (peer: Socket) => void = () => undefined;
    const peer = new Promise<Socket>((resolve) => (peerConnected = resolve));
    const port = await listen((socket) => {
      // Reads nothing until everything was written: the socket's buffers fill, and the later writes wait in libuv.
      socket.pause();
      peerConnected(socket);
    });
    const socket = await dial(port);
    expect(writesToHandle(socket)).toBe(true);
    const write = socketWriter(socket);
    for (const chunk of sent) write(chunk);
    // 24 MB cannot all be in the kernel's buffers of a socket nobody reads: some of it is in libuv's queue.
    expect((socket as unknown as { _handle: { writeQueueSize: number } })._handle.writeQueueSize).toBeGreaterThan(0);
    expect(socket.destroyed).toBe(false);
    const reader = await peer;
    await new Promise<void>((resolve) => {
      let got = 0;
      reader.on('data', (chunk: Buffer) => {
        received.push(chunk);
        got += chunk.length;
        if (got === total) resolve();
      });
      reader.resume();
    });
    expect(digest(received)).toBe(digest(sent));
  });

  it('closes the socket when a write fails: the peer is gone', async () => {
    const port = await listen((peer) => peer.destroy());
    const socket = await dial(port);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    const write = socketWriter(socket);
    // The first writes may still be taken (the reset is on its way); one after it fails.
    const deadline = Date.now() + 5000;
    while (!socket.destroyed && Date.now() < deadline) {
      write(Buffer.alloc(1024, 1));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await closed;
    expect(socket.destroyed).toBe(true);
  });

  it('writes a TLS socket with socket.write (its handle encrypts), and the bytes arrive', async () => {
    const certificates = await makeServiceCertificates();
    try {
      const got = new Promise<string>((resolve) => {
        const server = createTlsServer({ cert: readFileSync(certificates.certPath), key: readFileSync(certificates.keyPath) }, (peer) => {
          sockets.push(peer);
          peer.once('data', (chunk: Buffer) => resolve(chunk.toString()));
        });
        servers.push(server);
        server.listen(0, '127.0.0.1', () => {
          const socket = tlsConnect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, ca: certificates.caPem, servername: 'localhost' });
          sockets.push(socket);
          socket.once('secureConnect', () => {
            expect(writesToHandle(socket)).toBe(false);
            socketWriter(socket)(Buffer.from('hello over TLS'));
          });
        });
      });
      expect(await got).toBe('hello over TLS');
    } finally {
      await certificates.remove();
    }
  });
});
