import { isAppUrl } from "./appUrl.js";

// The UI needs no camera, microphone, notifications, geolocation…; only writing to the clipboard
// ("copy output") and going full screen, and only for our own pages.
const allowed = new Set(["clipboard-sanitized-write", "fullscreen"]);

export function isPermissionAllowed(permission: string, requestingUrl: string): boolean {
  return allowed.has(permission) && isAppUrl(requestingUrl);
}
