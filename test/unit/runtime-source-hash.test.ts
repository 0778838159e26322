import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashSources, listSourceFiles } from '../../src/runtime/build/source-hash.js';

const dirs: string[] = [];

/** A service folder with the given files, written in the given order. */
function serviceDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hopscope-hash-'));
  dirs.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const rustService = {
  'Cargo.toml': '[package]\nname = "x"\n',
  'Cargo.lock': 'version = 3\n',
  'src/main.rs': 'fn main() {}\n',
  'src/routes/health.rs': '// health\n',
  Dockerfile: 'FROM scratch\n',
};

describe('source hash', () => {
  it('lists sources sorted, with / separators, skipping build output, fuzzing, test data and tests (Rust and Go)', () => {
    const dir = serviceDir({
      ...rustService,
      'target/release/x': 'binary',
      'fuzz/src/main.rs': 'fuzz',
      'testdata/fuzz/corpus': 'corpus',
      'tests/http.rs': 'test',
      'README.md': 'docs',
      'go.mod': 'module x\n',
      'internal/ring/ring.go': 'package ring\n',
      'internal/ring/ring_test.go': 'package ring\n',
    });
    return expect(listSourceFiles(dir)).resolves.toEqual([
      'Cargo.lock',
      'Cargo.toml',
      'Dockerfile',
      'go.mod',
      'internal/ring/ring.go',
      'src/main.rs',
      'src/routes/health.rs',
    ]);
  });

  it('is stable: same files, written in another order, in another folder → same hash', async () => {
    const reversed = Object.fromEntries(Object.entries(rustService).reverse());
    expect(await hashSources(serviceDir(rustService), 'r')).toBe(await hashSources(serviceDir(reversed), 'r'));
  });

  it('ignores files that do not reach the binary', async () => {
    const extra = serviceDir({ ...rustService, 'target/debug/x': 'new build output', 'tests/t.rs': 'new test' });
    expect(await hashSources(extra, 'r')).toBe(await hashSources(serviceDir(rustService), 'r'));
  });

  it.each<{ name: string; change: Record<string, string> }>([
    { name: 'a changed byte', change: { 'src/main.rs': 'fn main() { }\n' } },
    { name: 'a new source file', change: { 'src/extra.rs': '' } },
    { name: 'a changed Dockerfile', change: { Dockerfile: 'FROM scratch\nUSER 1000\n' } },
  ])('changes with $name', async ({ change }) => {
    expect(await hashSources(serviceDir({ ...rustService, ...change }), 'r')).not.toBe(
      await hashSources(serviceDir(rustService), 'r'),
    );
  });

  it('changes when a file is renamed, or bytes move from one file to the next', async () => {
    const base = await hashSources(serviceDir({ 'src/a.rs': 'xy', 'src/b.rs': 'z' }), 'r');
    expect(await hashSources(serviceDir({ 'src/a.rs': 'x', 'src/b.rs': 'yz' }), 'r')).not.toBe(base);
    expect(await hashSources(serviceDir({ 'src/c.rs': 'xy', 'src/b.rs': 'z' }), 'r')).not.toBe(base);
  });

  it('changes with the build recipe', async () => {
    const dir = serviceDir(rustService);
    expect(await hashSources(dir, 'cargo build --release')).not.toBe(await hashSources(dir, 'cargo build'));
  });
});
