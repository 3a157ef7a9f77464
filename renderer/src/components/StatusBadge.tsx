import type { ModelStatus } from "../../../electron/shared/contract.js";
import { strings } from "../i18n/strings.js";

/** A status word with a shape as well as a colour, so it reads without colour vision. */
export function StatusBadge({ status }: { status: ModelStatus }) {
  const icon = status === "ok" ? "●" : status === "error" ? "✕" : status === "missing" ? "?" : "△";
  return (
    <span className={`badge badge-${status}`}>
      <span aria-hidden="true">{icon} </span>
      {strings.models.status[status]}
    </span>
  );
}
