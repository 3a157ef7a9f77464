import type { WebContents } from "electron";
import { navigationDecision } from "./appUrl.js";

type OpenExternal = (url: string) => Promise<void>;

function openOutside(openExternal: OpenExternal, url: string): void {
  openExternal(url).catch((error: unknown) => console.warn(`Polytune: could not open ${url}:`, error));
}

/**
 * For every WebContents: the page may only navigate within app://polytune; an http(s) link opens in the
 * OS browser instead; window.open and <webview> are refused.
 */
export function installNavigationGuards(contents: WebContents, openExternal: OpenExternal): void {
  contents.on("will-frame-navigate", (event) => {
    const decision = navigationDecision(event.url);
    if (decision.action === "allow") return;
    event.preventDefault();
    if (decision.action === "open-external" && event.isMainFrame) openOutside(openExternal, decision.url);
  });
  contents.on("will-redirect", (event) => {
    if (navigationDecision(event.url).action !== "allow") event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    const decision = navigationDecision(url);
    if (decision.action === "open-external") openOutside(openExternal, decision.url);
    return { action: "deny" };
  });
  contents.on("will-attach-webview", (event) => event.preventDefault());
}
