/** How each reference kind's static binary is built from its sources, and the Go recipe hopscope's reaper shares. */

import { join } from 'node:path';
import type { ServiceKind } from '../../scenario/reference-kinds.js';
import { packageRoot } from '../package-root.js';
import type { BinarySource } from './recipes.js';

type Recipe = Omit<BinarySource, 'name' | 'sourceDir'>;

const RUST_TARGET = 'x86_64-unknown-linux-gnu';
/** Where RUST_TARGET's binaries run, as Node names platforms: the one platform fastjson-api is prebuilt for. */
export const RUST_PLATFORM = 'linux-x64';

/** Go's static build, shared by the Go reference service and hopscope's own reaper. */
function goStaticRecipe(): Recipe {
  return {
    tool: 'go',
    installHint: 'install Go (https://go.dev/dl) so that `go` is on PATH',
    args: (outputPath) => ['build', '-trimpath', '-ldflags=-s -w', '-o', outputPath, '.'],
    // Static, for images FROM scratch; the local toolchain only, since nothing may be downloaded.
    env: { CGO_ENABLED: '0', GOTOOLCHAIN: 'local' },
    fingerprint: "CGO_ENABLED=0 go build -trimpath -ldflags='-s -w'",
  };
}

const RECIPES: Record<ServiceKind, Recipe> = {
  'fastjson-api': {
    tool: 'cargo',
    installHint: `install Rust (https://rustup.rs) with the ${RUST_TARGET} target and glibc's static libc (Debian: libc6-dev), so that \`cargo\` is on PATH`,
    args: () => ['build', '--release', '--target', RUST_TARGET],
    // The image is FROM scratch: the binary must carry its libc.
    env: { RUSTFLAGS: '-C target-feature=+crt-static' },
    producedAt: (targetDir) => join(targetDir, RUST_TARGET, 'release', 'fastjson-api'),
    fingerprint: `cargo build --release --target ${RUST_TARGET} RUSTFLAGS=-C target-feature=+crt-static`,
  },
  'rust-cache-server': goStaticRecipe(),
};

/** Where a reference kind's sources live, and how its static binary is built. */
export function kindBinary(kind: ServiceKind): BinarySource {
  return { name: kind, sourceDir: join(packageRoot(), 'reference-services', kind), ...RECIPES[kind] };
}

/** hopscope's reaper container (runtime/docker/reaper.ts), built like the Go reference service. */
export function reaperBinary(): BinarySource {
  return { name: 'reaper', sourceDir: join(packageRoot(), 'reaper'), ...goStaticRecipe() };
}
