/** `--home <dir>` or `--home=<dir>` from the command line (Electron passes its own switches too). */
export function parseHomeArgument(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === undefined) continue;
    if (arg.startsWith("--home=")) return arg.slice("--home=".length) || undefined;
    if (arg === "--home") {
      const next = argv[i + 1];
      return next && !next.startsWith("--") ? next : undefined;
    }
  }
  return undefined;
}
