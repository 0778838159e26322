/**
 * A generator's results as text in its own log, for engines whose only way back without a shared disk is
 * the log (swarm tasks on any node, Kubernetes pods): the files merge reads, each gzipped, base64 in short
 * lines between marker lines, with a checksum, so that a log cut short or interleaved with other output is
 * an error, never a wrong merge. Lines stay far below the 16 KiB at which engines split log lines.
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfraError } from '../errors.js';
import { builtinModule } from '../import-module.js';
import { RUN_FILES } from '../run-folder/layout.js';

const BEGIN = 'hopscope-result-frame-begin';
const END = 'hopscope-result-frame-end';
const LINE_CHARS = 4000;
/** What a merge reads, plus the interval log so that each generator's folder reads on its own. */
export const FRAMED_FILES = [RUN_FILES.summary, RUN_FILES.histograms, RUN_FILES.intervalLog] as const;

const sha256 = (data: Buffer) => builtinModule<typeof import('node:crypto')>('node:crypto').createHash('sha256').update(data).digest('hex');

/** The frames of the run folder's files, ready for stdout. */
export function encodeResultFrames(runDir: string): string {
  const out: string[] = [];
  for (const name of FRAMED_FILES) {
    const path = join(runDir, name);
    if (!existsSync(path)) continue;
    const content = readFileSync(path);
    // node:zlib is required when used (import-module.ts): every run loads this module, and only a fleet's zip.
    const body = builtinModule<typeof import('node:zlib')>('node:zlib').gzipSync(content).toString('base64');
    out.push(`${BEGIN} ${name} ${content.length} ${sha256(content)}`);
    for (let at = 0; at < body.length; at += LINE_CHARS) out.push(body.slice(at, at + LINE_CHARS));
    out.push(`${END} ${name}`);
  }
  return `${out.join('\n')}\n`;
}

/** Writes the framed files found in `log` into `dir`; `who` names the generator in errors. */
export function decodeResultFrames(log: string, dir: string, who: string): void {
  const found = new Map<string, Buffer>();
  let current: { name: string; bytes: number; sum: string; lines: string[] } | undefined;
  for (const raw of log.split('\n')) {
    const line = raw.trimEnd();
    if (line.startsWith(BEGIN)) {
      const [, name, bytes, sum] = line.split(' ');
      if (!name || !(FRAMED_FILES as readonly string[]).includes(name)) throw new InfraError(`${who}: its log frames an unexpected file "${name}"`);
      current = { name, bytes: Number(bytes), sum: sum ?? '', lines: [] };
    } else if (line.startsWith(END) && current) {
      let content: Buffer | undefined;
      try {
        content = builtinModule<typeof import('node:zlib')>('node:zlib').gunzipSync(Buffer.from(current.lines.join(''), 'base64'));
      } catch {
        // reported below, as any other damage
      }
      if (!content || content.length !== current.bytes || sha256(content) !== current.sum) {
        throw new InfraError(`${who}: its ${current.name} arrived damaged through the log (${content ? `${content.length} of ${current.bytes} bytes, checksum wrong` : 'not gzip'})`);
      }
      found.set(current.name, content);
      current = undefined;
    } else if (current && /^[A-Za-z0-9+/=]+$/.test(line)) {
      current.lines.push(line);
    }
  }
  for (const name of [RUN_FILES.summary, RUN_FILES.histograms]) {
    if (!found.has(name)) throw new InfraError(`${who}: its log holds no ${name}${current ? ` (the log ends inside ${current.name})` : ''}`, 'the engine may have cut its log short; see the generator log above');
  }
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of found) writeFileSync(join(dir, name), content);
}
