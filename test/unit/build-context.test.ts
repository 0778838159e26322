import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contextFiles, hashContext } from '../../src/runtime/docker/build-context.js';

function context(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hopscope-context-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

describe('an own build context', () => {
  it('sends what .dockerignore keeps, exceptions included, and always the Dockerfile', async () => {
    const dir = context({
      '.dockerignore': '*\n!orders\n!config/*.yaml\n',
      Dockerfile: 'FROM scratch\n',
      orders: 'binary',
      'main.go': 'package main',
      'config/app.yaml': 'a: 1',
      'config/secret.env': 'x',
      'node_modules/big/index.js': '',
    });
    expect(await contextFiles(dir, 'Dockerfile')).toEqual(['Dockerfile', 'config/app.yaml', 'orders']);
  });

  it('without .dockerignore sends everything', async () => {
    const dir = context({ Dockerfile: 'FROM scratch\n', 'src/a.go': 'a' });
    expect(await contextFiles(dir, 'Dockerfile')).toEqual(['Dockerfile', 'src/a.go']);
  });

  it('tags by content: the hash changes with a sent file, not with an ignored one', async () => {
    const files = { '.dockerignore': 'notes.txt\n', Dockerfile: 'FROM scratch\n', orders: 'v1', 'notes.txt': 'a' };
    const hashOf = async (dir: string) => hashContext(dir, 'Dockerfile', await contextFiles(dir, 'Dockerfile'));
    const base = await hashOf(context(files));
    expect(await hashOf(context(files))).toBe(base);
    expect(await hashOf(context({ ...files, 'notes.txt': 'b' }))).toBe(base);
    expect(await hashOf(context({ ...files, orders: 'v2' }))).not.toBe(base);
  });
});
