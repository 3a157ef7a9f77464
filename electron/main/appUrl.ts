// The renderer's one origin. Everything the shell trusts (navigation, IPC senders, permissions) is
// checked against it; nothing here imports Electron so the checks are unit-tested under plain Node.

export const appScheme = "app";
export const appHost = "polytune";
export const appOrigin = `${appScheme}://${appHost}`;
export const appEntryUrl = `${appOrigin}/index.html`;

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True only for app://polytune/… (no credentials, no port): the built renderer and nothing else. */
export function isAppUrl(url: string): boolean {
  const parsed = parse(url);
  return parsed !== null && parsed.protocol === `${appScheme}:` && parsed.host === appHost && parsed.username === "" && parsed.password === "";
}

/** The address to hand to the OS browser, or null: http(s) only, parsed, and without user:password@ tricks. */
export function externalUrlToOpen(url: string): string | null {
  const parsed = parse(url);
  if (parsed === null) return null;
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return null;
  if (parsed.username !== "" || parsed.password !== "" || parsed.hostname === "") return null;
  return parsed.href;
}

/** What to do with a navigation the page attempts: stay (our own pages), open in the OS browser, or block. */
export function navigationDecision(url: string): { action: "allow" } | { action: "open-external"; url: string } | { action: "block" } {
  if (isAppUrl(url)) return { action: "allow" };
  const external = externalUrlToOpen(url);
  return external === null ? { action: "block" } : { action: "open-external", url: external };
}
