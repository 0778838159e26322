import { open } from 'node:fs/promises';

/** Enough for 20 ordinary log lines; a service that logs megabyte lines gets them cut, not read whole. */
const TAIL_BYTES = 64 * 1024;

/** The last `count` lines of a log file, or [] when it does not exist (the service never wrote). */
export async function lastLines(path: string, count: number): Promise<string[]> {
  let file;
  try {
    file = await open(path, 'r');
  } catch {
    return [];
  }
  try {
    const { size } = await file.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await file.read(buffer, 0, length, size - length);
    return splitTail(buffer.toString('utf8'), count);
  } finally {
    await file.close();
  }
}

/** A log-line readiness check reads at most this much: the line is expected early, not after megabytes. */
const SEARCH_BYTES = 4 * 1024 * 1024;

/** True when SEARCH_BYTES of the file from `fromByte` on contain `text`. */
export async function logContains(path: string, text: string, fromByte: number): Promise<boolean> {
  let file;
  try {
    file = await open(path, 'r');
  } catch {
    return false;
  }
  try {
    const buffer = Buffer.alloc(SEARCH_BYTES);
    const { bytesRead } = await file.read(buffer, 0, SEARCH_BYTES, fromByte);
    return buffer.subarray(0, bytesRead).includes(text);
  } finally {
    await file.close();
  }
}

function splitTail(text: string, count: number): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(-count);
}

/** Keeps only the last `capacity` lines of a stream of text chunks, so a chatty build cannot fill memory. */
export class LineTail {
  private readonly lines: string[] = [];
  private partial = '';

  constructor(private readonly capacity: number) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line);
      if (this.lines.length > this.capacity) this.lines.shift();
    }
  }

  toLines(): string[] {
    const all = this.partial === '' ? this.lines : [...this.lines, this.partial];
    return all.slice(-this.capacity);
  }
}

export function indent(lines: string[]): string {
  return lines.map((line) => `  ${line}`).join('\n');
}
