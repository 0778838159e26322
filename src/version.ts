import { existsSync, readFileSync } from 'node:fs';

// Read at run time so that the one version number lives in package.json: one level up from src/ and dist/,
// two from dist-bench/src/ (the benches' build, tsconfig.bench.json).
const packageJson = ['../package.json', '../../package.json'].map((p) => new URL(p, import.meta.url)).find((url) => existsSync(url))!;

export const HOPSCOPE_VERSION: string = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
