/**
 * A user's build context as the engine would see it: every file under the folder that .dockerignore does not
 * exclude, hashed (so the image is tagged by its content and rebuilt only when it changes) and packed into a
 * tar in memory for dockerode.
 */

import dockerIgnoreModule from '@balena/dockerignore';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pack } from 'tar-stream';

/** A context is a service's sources; the bound stops a context pointed at a home folder by mistake. */
const MAX_FILES = 20_000;

// CommonJS whose typings declare a default export; under NodeNext the factory sits on `.default` (it sets one).
const dockerIgnore = dockerIgnoreModule.default;

/** Sorted '/'-separated paths of the files the context sends, .dockerignore applied (the Dockerfile always goes). */
export async function contextFiles(contextDir: string, dockerfile: string): Promise<string[]> {
  const ignoreText = await readFile(join(contextDir, '.dockerignore'), 'utf8').catch(() => '');
  const keep = dockerIgnore({ ignorecase: false }).add(ignoreText).createFilter();
  // As the engine does: an excluded folder is skipped whole unless some `!` rule may bring a file back from it.
  const hasExceptions = /^\s*!/m.test(ignoreText);
  const found: string[] = [];
  const pending = [contextDir];
  while (pending.length > 0) {
    const dir = pending.pop() as string;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const abs = join(dir, entry.name);
      const rel = relative(contextDir, abs).split(sep).join('/');
      const kept = keep(rel) || rel === dockerfile;
      if (entry.isDirectory()) {
        if (kept || hasExceptions) pending.push(abs);
      } else if (entry.isFile() && kept) found.push(rel);
      if (found.length > MAX_FILES) throw new Error(`more than ${MAX_FILES} files in the build context ${contextDir}`);
    }
  }
  return found.sort();
}

/** sha256 over the Dockerfile's name and each file's path, mode and bytes, lengths framed in. */
export async function hashContext(contextDir: string, dockerfile: string, files: string[]): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`dockerfile\0${dockerfile}\0`);
  for (const rel of files) {
    const path = join(contextDir, rel);
    const [content, info] = await Promise.all([readFile(path), stat(path)]);
    hash.update(`${rel}\0${info.mode & 0o777}\0${content.length}\0`);
    hash.update(content);
  }
  return hash.digest('hex');
}

export async function packContext(contextDir: string, files: string[]): Promise<NodeJS.ReadableStream> {
  const tar = pack();
  for (const rel of files) {
    const path = join(contextDir, rel);
    const [content, info] = await Promise.all([readFile(path), stat(path)]);
    tar.entry({ name: rel, mode: info.mode & 0o777 }, content);
  }
  tar.finalize();
  // tar-stream's typings declare an async iterator that @types/node 20's ReadableStream does not accept.
  return tar as unknown as NodeJS.ReadableStream;
}
