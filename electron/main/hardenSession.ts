import type { Session } from "electron";
import { isPermissionAllowed } from "./permissionPolicy.js";

/** Deny every permission the UI does not need, and every one asked by anything but app://polytune. */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((contents, permission, callback, details) => {
    callback(isPermissionAllowed(permission, details.requestingUrl || contents.getURL()));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => isPermissionAllowed(permission, requestingOrigin));
}
