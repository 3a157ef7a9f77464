import { strings } from "../../i18n/strings.js";
import type { Tuning } from "./resultRows.js";

const s = strings.evaluate;
const tone: Record<Tuning, string> = { supervised: "ok", "zero-shot": "changed", unknown: "off" };
const icon: Record<Tuning, string> = { supervised: "●", "zero-shot": "○", unknown: "?" };

/** Whether a language was in the adapter's tuning mix, as a word and a shape (readable without colour). */
export function TuningBadge({ tuning }: { tuning: Tuning }) {
  return (
    <span className={`badge badge-${tone[tuning]}`} data-tuning={tuning} title={s.tuningHelp[tuning]}>
      <span aria-hidden="true">{icon[tuning]} </span>
      {s.tuning[tuning]}
    </span>
  );
}
