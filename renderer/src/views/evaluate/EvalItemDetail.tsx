import { useEffect, useId, useRef } from "react";
import type { EvalItem } from "../../../../electron/shared/evalContract.js";
import { languageLabel } from "../../format/languageName.js";
import { strings } from "../../i18n/strings.js";
import type { OpenEvalItem } from "../../store/createEvalSlice.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { detailIdentified, detailLines, detailMisspelled, goldFacts, judgeEntries, misspelledSegments, outputDetail } from "./itemDetail.js";

const s = strings.evaluate;

/** One item in full: its prompt, then each system's (and seed's) response with what scoring saw in it. */
export function EvalItemDetail({ item }: { item: OpenEvalItem }) {
  const closeItem = useAppStore((st) => st.closeItem);
  // Closing gives focus back to the items list, where the item was opened from.
  const close = () => {
    closeItem();
    document.querySelector<HTMLElement>('[data-focus="eval-items"]')?.focus();
  };
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  // Opening an item brings it where the user looks.
  useEffect(() => {
    const el = heading.current;
    if (!el) return;
    el.scrollIntoView({ block: "start" });
    el.focus({ preventScroll: true });
  }, [item.suite, item.id]);
  const first = item.outputs[0];

  return (
    <section
      className="card eval-item-detail"
      aria-labelledby={`${id}-heading`}
      data-testid="eval-item-detail"
      data-item-id={item.id}
      onKeyDown={(e) => {
        if (e.key === "Escape") close();
      }}
    >
      <h2 id={`${id}-heading`} ref={heading} tabIndex={-1}>
        {s.itemHeading(item.id)}
      </h2>
      <div className="button-row">
        <button type="button" onClick={close}>
          {s.closeItem}
        </button>
      </div>
      {first ? (
        <>
          <p className="muted small">
            {s.suiteNames[item.suite]} · {languageLabel(first.language)}
          </p>
          <h3 className="subheading">{s.prompt}</h3>
          <pre className="eval-text" data-testid="eval-item-prompt">
            {first.prompt}
          </pre>
        </>
      ) : null}
      {item.outputs.map((output) => (
        <OutputDetail key={`${output.system}-${output.seed ?? ""}`} output={output} />
      ))}
    </section>
  );
}

function OutputDetail({ output }: { output: EvalItem }) {
  const { detail, scores: seedScores } = outputDetail(output.detail, output.seed);
  // A sampled output shows its own seed's scores; the item's (the seeds' mean) are in the items table.
  const scores = seedScores ?? output.scores;
  const lines = detailLines(detail);
  const misspelled = detailMisspelled(detail);
  const identified = detailIdentified(detail);
  const judge = judgeEntries(detail);
  const englishWords = Array.isArray(detail?.englishWords) ? (detail.englishWords as unknown[]).filter((w): w is string => typeof w === "string") : [];
  const gold = goldFacts(detail);

  return (
    <article className="eval-output" data-testid="eval-output" data-system={output.system} data-seed={output.seed ?? ""}>
      <h3 className="subheading">{s.response(s.systems[output.system], output.seed)}</h3>
      {output.status === "pending" ? (
        <p className="muted">{s.pending}</p>
      ) : (
        <>
          <pre className="eval-text" data-testid="eval-output-response">
            {output.response === null || output.response === ""
              ? s.emptyResponse
              : misspelledSegments(output.response, misspelled).map((seg, i) =>
                  seg.misspelled ? (
                    <mark key={i} className="misspelled">
                      {seg.text}
                    </mark>
                  ) : (
                    <span key={i}>{seg.text}</span>
                  ),
                )}
          </pre>
          <p className="muted small">
            {s.responseMeta(output.tokens, output.stopReason)}
            {identified ? ` · ${s.identified(identified.language, identified.confidence)}` : ""}
          </p>
          {misspelled.length ? <p className="small">{s.misspelledLegend(misspelled.length)}</p> : null}
        </>
      )}
      {lines.length ? (
        <div className="table-scroll">
          <table className="data-table compact" data-testid="eval-output-lines">
            <caption className="small">{s.linesHeading}</caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  {s.lineColumns.line}
                </th>
                <th scope="col">{s.lineColumns.text}</th>
                <th scope="col">{s.lineColumns.language}</th>
                <th scope="col" className="num">
                  {s.lineColumns.confidence}
                </th>
                <th scope="col">{s.lineColumns.ok}</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l) => (
                <tr key={l.line} className={l.correct ? undefined : "row-flagged"}>
                  <td className="num">{l.line}</td>
                  <td className="wrap small">{l.text}</td>
                  <td className="mono">{l.language}</td>
                  <td className="num">{l.confidence.toFixed(2)}</td>
                  <td>{l.correct ? s.lineOk : s.lineBad}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {englishWords.length ? <p className="small">{s.englishWords(englishWords.join(", "))}</p> : null}
      {scores ? (
        <>
          <h4 className="subheading">{s.scoresHeading}</h4>
          <dl className="facts small" data-testid="eval-output-scores">
            {Object.entries(scores).map(([metric, value]) => (
              <div key={metric} className="fact-pair">
                <dt title={s.metricHelp(metric)}>{s.metricName(metric)}</dt>
                <dd className="mono">{value === null ? strings.common.unknown : Number.isInteger(value) ? value : value.toFixed(2)}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}
      {judge.length ? (
        <>
          <h4 className="subheading">{s.itemJudgeHeading}</h4>
          <ul className="plain-list small" data-testid="eval-output-judge">
            {judge.map((j) => (
              <li key={j.judgement}>
                <strong>{j.judgement}</strong>: {j.value ?? s.judgeMissing}
                {j.note ? <div className="muted">{j.note}</div> : null}
                {j.rationale ? <pre className="eval-text">{j.rationale}</pre> : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {output.loglikelihoods ? (
        <p className="small mono">
          {s.loglikelihoods}: {output.loglikelihoods.map((x) => x.toFixed(2)).join(" · ")}
        </p>
      ) : null}
      {gold.length ? (
        <>
          <h4 className="subheading">{s.goldHeading}</h4>
          <dl className="facts small" data-testid="eval-output-gold">
            {gold.map((g) => (
              <div key={g.key} className="fact-pair">
                <dt>{g.key}</dt>
                <dd className="wrap">{g.value}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}
    </article>
  );
}
