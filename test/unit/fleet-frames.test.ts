/** The generators' way back through a log (result-frame.ts) and the swarm slot → segment rule (swarm-slot.ts). */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeResultFrames, encodeResultFrames } from '../../src/fleet/result-frame.js';
import { resolveSwarmSegment } from '../../src/fleet/swarm-slot.js';
import { demultiplex } from '../../src/runtime/docker/swarm-client.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hopscope-frames-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function runFolder(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ schema: 'x', big: 'y'.repeat(50_000) }));
  // Incompressible, so the frame spans many lines.
  writeFileSync(join(dir, 'histograms.json'), randomBytes(40_000));
  writeFileSync(join(dir, 'report.html'), '<html>not framed</html>');
  return dir;
}

describe('result frames', () => {
  it('carry the files through a log with other output around and between them', () => {
    const source = runFolder();
    const frames = encodeResultFrames(source).split('\n');
    expect(Math.max(...frames.map((l) => l.length))).toBeLessThan(16 * 1024);
    const log = ['starting', ...frames.slice(0, 3), ...frames.slice(3), 'p99 12 ms'].join('\n');
    const out = join(tempDir(), 'g1');
    decodeResultFrames(log, out, 'generator 1');
    expect(readFileSync(join(out, 'summary.json'))).toEqual(readFileSync(join(source, 'summary.json')));
    expect(readFileSync(join(out, 'histograms.json'))).toEqual(readFileSync(join(source, 'histograms.json')));
  });

  it('refuse a log cut short or damaged instead of merging part of a run', () => {
    const frames = encodeResultFrames(runFolder()).split('\n');
    const out = join(tempDir(), 'g2');
    expect(() => decodeResultFrames(frames.slice(0, -3).join('\n'), out, 'generator 2')).toThrow(/generator 2: its log holds no histograms\.json \(the log ends inside histograms\.json\)/);
    const bodyLine = frames.findIndex((l) => l.startsWith('hopscope-result-frame-begin histograms.json')) + 2;
    const damaged = frames.map((l, i) => (i === bodyLine ? l.replace(/^./, l[0] === 'A' ? 'B' : 'A') : l));
    expect(() => decodeResultFrames(damaged.join('\n'), out, 'generator 2')).toThrow(/^generator 2: its histograms\.json arrived damaged through the log/);
  });
});

describe('swarm slots', () => {
  it.each([
    ['swarm/3', '1', '1/3'],
    ['swarm/3', '2', '2/3'],
    // Slot 0 renders as the node id.
    ['swarm/3', 'mocu8hvvlnrj18xs7jss2j6ar', '0/3'],
    ['1/3', undefined, '1/3'],
  ])('%s with slot %s is segment %s', (segment, slot, expected) => {
    expect(resolveSwarmSegment(segment, slot === undefined ? {} : { HOPSCOPE_SWARM_SLOT: slot })).toBe(expected);
  });

  it('says so when the slot is missing', () => {
    expect(() => resolveSwarmSegment('swarm/3', {})).toThrow('--segment swarm/3: HOPSCOPE_SWARM_SLOT is not set; only a swarm task gets it');
  });
});

describe('engine log streams', () => {
  it('are demultiplexed from their 8-byte frame headers', () => {
    const frame = (stream: number, text: string) => {
      const header = Buffer.from([stream, 0, 0, 0, 0, 0, 0, 0]);
      header.writeUInt32BE(Buffer.byteLength(text), 4);
      return Buffer.concat([header, Buffer.from(text)]);
    };
    expect(demultiplex(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]))).toBe('out\nerr\n');
  });
});
