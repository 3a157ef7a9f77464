// What a running job's progress events say beyond its output counts: this session's time left and
// rate, and while judging the verdicts had and to have. Kept apart from the job: done/total stay the
// job's outputs in every phase, verdict counts never replace them.
import type { EventPayload } from "../../../../electron/shared/contract.js";
import type { EvalJob } from "../../../../electron/shared/evalContract.js";
import { formatDuration, formatRate } from "../../../../electron/shared/formatQuantities.js";
import { strings } from "../../i18n/strings.js";

const s = strings.evaluate;

export interface EvalLive {
  etaSeconds: number | null;
  tokensPerSecond: number | null;
  /** Judging only: verdicts had (stored ones included) and to have for the suite × system being judged. */
  judged: number | null;
  judgeTotal: number | null;
}

/** The live part of a progress event; verdict counts only while judging. */
export function evalLiveOf(p: EventPayload<"eval.progress">): EvalLive {
  const judging = p.phase === "judging";
  return { etaSeconds: p.etaSeconds, tokensPerSecond: p.tokensPerSecond, judged: judging ? (p.judged ?? null) : null, judgeTotal: judging ? (p.judgeTotal ?? null) : null };
}

/** "· decoding · about 5 s left · 40.0 tokens/s", "· judging · 12 of 40 verdicts": a running job's phase line. */
export function evalPhaseText(job: Pick<EvalJob, "phase">, live: EvalLive | undefined): string {
  const parts = [s.phases[job.phase] ?? job.phase];
  if (job.phase === "judging") {
    if (live?.judged != null && live.judgeTotal != null) parts.push(s.verdicts(live.judged, live.judgeTotal));
  } else {
    if (live?.etaSeconds != null) parts.push(s.eta(formatDuration(live.etaSeconds)));
    if (live?.tokensPerSecond != null) parts.push(s.rate(formatRate(live.tokensPerSecond)));
  }
  return parts.map((p) => `· ${p}`).join(" ");
}
