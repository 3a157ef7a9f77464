import { useId, useMemo, useState } from "react";
import type { Mix, MixBuildResult } from "../../../../electron/shared/mixContract.js";
import type { PolytuneErrorShape } from "../../../../electron/shared/contract.js";
import { toErrorShape } from "../../../../electron/shared/PolytuneError.js";
import { formatBytes, formatInteger } from "../../../../electron/shared/formatQuantities.js";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { languageLabel } from "../../format/languageName.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { DistributionChart } from "./DistributionChart.js";
import { ladderBars, languageLine, languageOrder, palette, uniqueNames } from "./distributionData.js";
import { draftFromRecipe } from "./mixDraft.js";
import { MixBuilder } from "./MixBuilder.js";

const s = strings.mixes;
// More bars than this and the chart stops being readable: it shows the latest ones.
const chartedMixes = 16;

/** The mix builder with its live preview, and the saved recipes with their language distribution. */
export function MixesPanel() {
  const datasets = useAppStore((st) => st.datasets);
  const loaded = useAppStore((st) => st.datasetsLoaded);
  const setTab = useAppStore((st) => st.setDataTab);
  if (loaded && datasets.length === 0) {
    return (
      <div className="empty-state card">
        <p>{s.noDatasets}</p>
        <button type="button" className="primary" onClick={() => setTab("datasets")}>
          {s.toDatasets}
        </button>
      </div>
    );
  }
  return (
    <>
      <MixBuilder />
      <MixList />
    </>
  );
}

const strategyLine = (mix: Mix): string => {
  const st = mix.recipe.strategy;
  const label = s.strategies[st.kind].label;
  return "languages" in st && st.languages?.length ? `${label} · ${st.languages.join(" ")}` : label;
};

function MixList() {
  const mixes = useAppStore((st) => st.mixes);
  const loaded = useAppStore((st) => st.mixesLoaded);
  const error = useAppStore((st) => st.mixesError);
  const notice = useAppStore((st) => st.mixNotice);
  const selected = useAppStore((st) => st.selectedMixId);
  const select = useAppStore((st) => st.selectMix);
  const remove = useAppStore((st) => st.removeMix);
  const trainFromMix = useAppStore((st) => st.trainFromMix);
  const openTranslate = useAppStore((st) => st.openTranslate);
  const replaceDraft = useAppStore((st) => st.replaceMixDraft);
  const removeError = useAppStore((st) => st.mixRemoveError);
  const api = useAppStore((st) => st.api);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [built, setBuilt] = useState<{ mix: string; result: MixBuildResult | null; error: PolytuneErrorShape | null; busy: boolean } | null>(null);
  const id = useId();

  // The engine lists newest first (saved in one action, a ladder's mixes share a time; its order is the saving order).
  // Oldest first here, so a ladder reads Mono, Multi-2 … Multi-k from left to right.
  const ordered = useMemo(() => [...mixes].reverse(), [mixes]);
  const charted = useMemo(() => {
    const fresh = notice?.kind === "ladder" ? ordered.filter((m) => notice.mixes.some((n) => n.id === m.id)) : [];
    return uniqueNames(fresh.length ? fresh : ordered.slice(-chartedMixes));
  }, [ordered, notice]);
  const bars = useMemo(() => ladderBars(charted), [charted]);
  const languages = useMemo(() => languageOrder(charted), [charted]);
  const fills = useMemo(() => languages.map((l, i) => ({ key: l, colour: palette[i % palette.length]!, label: languageLabel(l) })), [languages]);
  const xDomain = useMemo(() => charted.map((m) => m.name), [charted]);
  const tick = useMemo(() => (x: string) => x, []);

  // The recipe goes into the builder, and the builder comes into view with focus on its heading.
  const edit = (mix: Mix) => {
    replaceDraft(draftFromRecipe(mix.recipe));
    const heading = document.querySelector<HTMLElement>("[data-testid=mix-builder] h2");
    heading?.scrollIntoView({ block: "start" });
    heading?.focus({ preventScroll: true });
  };

  const build = async (mix: string) => {
    setBuilt({ mix, result: null, error: null, busy: true });
    try {
      setBuilt({ mix, result: await api.call("mixes.build", { mix }), error: null, busy: false });
    } catch (e) {
      setBuilt({ mix, result: null, error: toErrorShape(e), busy: false });
    }
  };

  return (
    <section className="card mix-list" aria-labelledby={`${id}-heading`} data-testid="mix-list">
      <h2 id={`${id}-heading`}>{s.listHeading}</h2>
      {error ? <ErrorMessage error={error} /> : null}
      {!loaded ? (
        <p className="muted">{strings.common.loading}</p>
      ) : mixes.length === 0 ? (
        <p className="muted">{s.emptyList}</p>
      ) : (
        <>
          <DistributionChart
            bars={bars}
            xDomain={xDomain}
            fills={fills}
            xLabel={s.chart.mixAxis}
            yLabel={s.chart.examplesAxis}
            legendLabel={s.chart.languageLegend}
            xTick={tick}
            title={notice?.kind === "ladder" ? s.chart.ladderTitle : s.chart.savedTitle}
            summary={s.chart.ladderSummary(charted.map((m) => `${m.name}: ${languageLine(m).replaceAll(" · ", ", ")}`))}
            fileStem="polytune-mixes"
            testId="mix-ladder-chart"
          />
          <div className="table-scroll">
            <table className="data-table mix-table" data-testid="mixes-table">
              <thead>
                <tr>
                  <th scope="col">{s.columns.name}</th>
                  <th scope="col" className="col-optional">
                    {s.columns.strategy}
                  </th>
                  <th scope="col" className="num">
                    {s.columns.examples}
                  </th>
                  <th scope="col">{s.columns.languages}</th>
                  <th scope="col" className="col-optional">
                    {s.columns.created}
                  </th>
                  <th scope="col">{s.columns.actions}</th>
                </tr>
              </thead>
              <tbody>
                {[...ordered].reverse().map((m) => (
                  <tr key={m.id} data-mix-id={m.id} aria-current={m.id === selected ? "true" : undefined} className={m.id === selected ? "selected" : undefined} onClick={() => select(m.id)}>
                    <td className="wrap">{m.name}</td>
                    <td className="wrap col-optional">{strategyLine(m)}</td>
                    <td className="num">{formatInteger(m.counts.total)}</td>
                    <td className="wrap" data-testid="mix-language-counts">
                      {languageLine(m, formatInteger)}
                    </td>
                    <td className="muted col-optional">{new Date(m.createdAt).toLocaleString()}</td>
                    <td>
                      <div className="button-row row-actions">
                        <button type="button" className="primary" onClick={() => trainFromMix(m.id)}>
                          {s.train}
                        </button>
                        <button type="button" onClick={() => edit(m)} aria-label={s.editLabel(m.name)}>
                          {s.edit}
                        </button>
                        <button type="button" onClick={() => void build(m.id)} disabled={built?.busy} aria-label={s.writeLabel(m.name)}>
                          {s.write}
                        </button>
                        <button type="button" onClick={() => openTranslate({ kind: "mix", id: m.id })} aria-label={strings.translate.actionMixLabel(m.name)}>
                          {strings.translate.action}
                        </button>
                        <button type="button" className="danger-outline" onClick={() => setConfirming(m.id)} aria-label={s.removeLabel(m.name)}>
                          {s.remove}
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {confirming ? (
        <div className="confirm danger-zone" role="alertdialog" aria-labelledby={`${id}-confirm`}>
          <p id={`${id}-confirm`}>{s.removeConfirm(mixes.find((m) => m.id === confirming)?.name ?? confirming)}</p>
          <div className="button-row">
            <button
              type="button"
              className="danger"
              onClick={() => {
                const target = confirming;
                setConfirming(null);
                void remove(target);
              }}
            >
              {s.removeYes}
            </button>
            <button type="button" onClick={() => setConfirming(null)} autoFocus>
              {s.removeNo}
            </button>
          </div>
        </div>
      ) : null}
      {removeError && !confirming ? <ErrorMessage error={removeError} alert /> : null}
      {built ? (
        <div role="status" data-testid="mix-written">
          {built.busy ? <p className="muted">{s.writing}</p> : null}
          {built.result ? <p className="banner banner-info">{s.written(built.result.path, formatInteger(built.result.examples), formatBytes(built.result.bytes))}</p> : null}
          {built.error ? <ErrorMessage error={built.error} /> : null}
        </div>
      ) : null}
    </section>
  );
}
