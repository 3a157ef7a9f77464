import type { Protocol } from "electron";
import { appScheme } from "./appUrl.js";
import { createAppProtocolHandler } from "./createAppProtocolHandler.js";

/**
 * Must run before app `ready`: app:// behaves like https (standard URL parsing, a secure context,
 * fetch and CORS for Vite's `crossorigin` module scripts, V8 code cache). It never bypasses the CSP.
 */
export function registerAppSchemeAsPrivileged(protocol: Pick<Protocol, "registerSchemesAsPrivileged">): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } },
  ]);
}

/** After `ready`: serve the built renderer (dist/renderer) on app://polytune/. */
export function registerAppProtocol(protocol: Pick<Protocol, "handle">, rendererDir: string): void {
  protocol.handle(appScheme, createAppProtocolHandler(rendererDir));
}
