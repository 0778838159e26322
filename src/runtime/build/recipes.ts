import { join } from 'node:path';
import type { ServiceKind } from '../types.js';

/** How one reference service's static binary is built. */
export interface BuildRecipe {
  /** The build tool, named in errors when it is missing. */
  tool: 'cargo' | 'go';
  installHint: string;
  args: (outputPath: string) => string[];
  env: Record<string, string>;
  /** Where the tool leaves the binary; undefined when `args` already writes it to outputPath. */
  producedAt?: (targetDir: string) => string;
  /** Hashed with the sources, so changing a flag here rebuilds. */
  fingerprint: string;
}

const RUST_TARGET = 'x86_64-unknown-linux-gnu';

export const RECIPES: Record<ServiceKind, BuildRecipe> = {
  'fastjson-api': {
    tool: 'cargo',
    installHint: 'install Rust (https://rustup.rs) so that `cargo` is on PATH',
    args: () => ['build', '--release', '--target', RUST_TARGET],
    // The image is FROM scratch: the binary must carry its libc.
    env: { RUSTFLAGS: '-C target-feature=+crt-static' },
    producedAt: (targetDir) => join(targetDir, RUST_TARGET, 'release', 'fastjson-api'),
    fingerprint: `cargo build --release --target ${RUST_TARGET} RUSTFLAGS=-C target-feature=+crt-static`,
  },
  'rust-cache-server': {
    tool: 'go',
    installHint: 'install Go (https://go.dev/dl) so that `go` is on PATH',
    args: (outputPath) => ['build', '-trimpath', '-ldflags=-s -w', '-o', outputPath, '.'],
    env: { CGO_ENABLED: '0' },
    fingerprint: "CGO_ENABLED=0 go build -trimpath -ldflags='-s -w'",
  },
};
