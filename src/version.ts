import { readFileSync } from 'node:fs';

// Read at run time so that the one version number lives in package.json (src/ and dist/ are both one level down).
export const HOPSCOPE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
