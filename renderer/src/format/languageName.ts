// Languages as the papers' figures label them: code + endonym ("de · Deutsch"), from the browser's own
// CLDR data (Intl.DisplayNames), so nothing is shipped or fetched.

const cache = new Map<string, string | null>();

/** The language's name in itself ("Deutsch", "español", "中文"); null when the runtime does not know it. */
export function endonym(code: string): string | null {
  if (cache.has(code)) return cache.get(code)!;
  let name: string | null = null;
  try {
    const found = new Intl.DisplayNames([code], { type: "language", fallback: "none" }).of(code);
    name = found && found.toLowerCase() !== code.toLowerCase() ? found : null;
  } catch {
    // A code Intl does not accept (lid.176 has a few): the code alone then.
  }
  cache.set(code, name);
  return name;
}

/** "de · Deutsch", or the code alone ("und", codes the runtime does not know). */
export function languageLabel(code: string): string {
  const name = code === "und" ? null : endonym(code);
  return name ? `${code} · ${name}` : code;
}
