#!/usr/bin/env node
import { processIO } from './io.js';
import { main } from './program.js';

// Exit explicitly: keep-alive sockets (the Docker client's among them) must not hold a finished run open.
// No top-level await: the bundle this becomes is CommonJS (cli/start.ts says why).
void main(process.argv.slice(2), processIO()).then((code) => process.exit(code));
