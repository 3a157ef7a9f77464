import type { RunStatus } from "../../../../electron/shared/contract.js";
import { strings } from "../../i18n/strings.js";

const icons: Record<RunStatus, string> = { queued: "…", running: "▶", paused: "❚❚", completed: "●", failed: "✕", cancelled: "—", interrupted: "△" };
const tone: Record<RunStatus, string> = { queued: "off", running: "ok", paused: "changed", completed: "ok", failed: "error", cancelled: "off", interrupted: "changed" };

/** A run's status as a word and a shape, so it reads without colour vision. */
export function RunStatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className={`badge badge-${tone[status]}`} data-status={status}>
      <span aria-hidden="true">{icons[status]} </span>
      {strings.runs.status[status]}
    </span>
  );
}
