/** How one static binary (a reference service, or hopscope's reaper) is built from its sources. */
export interface BinarySource {
  /** Names the cached binary and the image: "rust-cache-server", "reaper". */
  name: string;
  sourceDir: string;
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
