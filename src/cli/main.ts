#!/usr/bin/env node
import { processIO } from './io.js';
import { main } from './program.js';

// Exit explicitly: keep-alive sockets (the Docker client's among them) must not hold a finished run open.
process.exit(await main(process.argv.slice(2), processIO()));
