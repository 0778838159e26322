// The program's entry, which scripts/bundle-cli.mjs bundles into dist/bin/cli.cjs; the package's `bin` is
// dist/cli/main.js, the start that runs that bundle (cli/start.cts).
import { processIO } from './io.js';
import { main } from './program.js';

// Exit explicitly: keep-alive sockets (the Docker client's among them) must not hold a finished run open.
// No top-level await: the bundle this becomes is CommonJS (cli/start.cts says why).
void main(process.argv.slice(2), processIO()).then((code) => process.exit(code));
