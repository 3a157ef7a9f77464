import { useEffect, useId, useState, type ReactNode } from "react";
import type { ModelDetail } from "../../../../electron/shared/contract.js";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { StatusBadge } from "../../components/StatusBadge.js";
import { useReveal } from "../../components/useReveal.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { MemoryEstimate } from "./MemoryEstimate.js";
import { TryPanel } from "./TryPanel.js";
import { formatBytes, formatCount, formatInteger } from "../../../../electron/shared/formatQuantities.js";

const s = strings.details;
const dash = strings.common.unknown;

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const when = (iso: string) => (Number.isNaN(Date.parse(iso)) ? iso : dateTime.format(new Date(iso)));

function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </>
  );
}

/** Everything models.get knows about one model, plus the actions on it. */
export function ModelDetails() {
  const detail = useAppStore((st) => st.detail);
  const detailError = useAppStore((st) => st.detailError);
  const selectedId = useAppStore((st) => st.selectedId);
  if (!selectedId) return <p className="muted select-hint">{strings.models.selectHint}</p>;
  if (detailError) return <ErrorMessage error={detailError} alert />;
  if (!detail || detail.id !== selectedId) return <p className="muted">{s.loading}</p>;
  return <Loaded detail={detail} />;
}

function Loaded({ detail: m }: { detail: ModelDetail }) {
  const hashingId = useAppStore((st) => st.hashingId);
  const hash = useAppStore((st) => st.hash);
  const remove = useAppStore((st) => st.remove);
  const actionError = useAppStore((st) => st.actionError);
  const [confirming, setConfirming] = useState(false);
  const headingId = useId();
  const headingRef = useReveal<HTMLHeadingElement>(true);
  useEffect(() => setConfirming(false), [m.id]);

  const tensorTypes = Object.entries(m.tensorTypes).sort((a, b) => b[1] - a[1]);
  const metadata = Object.entries(m.metadata).sort(([a], [b]) => a.localeCompare(b));
  const hashing = hashingId === m.id;

  return (
    <div className="details-stack">
      <section className="card details" aria-labelledby={headingId}>
        <div className="card-title-row">
          <h2 id={headingId} className="wrap" ref={headingRef} tabIndex={-1}>
            {m.name}
          </h2>
          <StatusBadge status={m.status} />
        </div>
        {m.error ? <ErrorMessage error={m.error} /> : null}
        <dl className="facts" data-testid="model-facts">
          <Fact label={s.architecture} testId="fact-architecture">{m.architecture ?? dash}</Fact>
          <Fact label={s.parameters} testId="fact-parameters">
            {m.parameterCount === null ? dash : `${formatCount(m.parameterCount)} (${formatInteger(m.parameterCount)})`}
          </Fact>
          <Fact label={s.fileType} testId="fact-file-type">{m.fileType ?? dash}</Fact>
          <Fact label={s.contextLength} testId="fact-context">{formatInteger(m.contextLength)}</Fact>
          <Fact label={s.layers} testId="fact-layers">{formatInteger(m.layers)}</Fact>
          <Fact label={s.embeddingSize} testId="fact-embedding">{formatInteger(m.embeddingSize)}</Fact>
          <Fact label={s.vocabulary} testId="fact-vocabulary">
            {m.vocabSize === null && !m.tokenizer ? dash : s.vocabularyValue(formatInteger(m.vocabSize), m.tokenizer)}
          </Fact>
          <Fact label={s.chatTemplate} testId="fact-chat-template">
            {m.hasChatTemplate === null ? dash : m.hasChatTemplate ? strings.common.yes : strings.common.no}
          </Fact>
          <Fact label={s.heads}>
            {m.headCount === null ? dash : s.headsValue(formatInteger(m.headCount), formatInteger(m.headCountKv ?? m.headCount))}
          </Fact>
          <Fact label={s.feedForward}>{formatInteger(m.feedForwardLength)}</Fact>
          <Fact label={s.tensors}>{formatInteger(m.tensorCount)}</Fact>
          <Fact label={s.ggufVersion}>{m.ggufVersion ?? dash}</Fact>
          <Fact label={s.fileSize}>{s.fileSizeValue(formatBytes(m.fileSize), formatInteger(m.fileSize))}</Fact>
          <Fact label={s.fingerprint}>
            <code className="wrap">{m.fingerprint ?? dash}</code>
          </Fact>
          <Fact label={s.sha256} testId="fact-sha256">
            {m.sha256 ? <code className="wrap">{m.sha256}</code> : <span className="muted">{s.shaMissing}</span>}
            <div>
              <button type="button" disabled={hashing} aria-busy={hashing} onClick={() => void hash(m.id)}>
                {hashing ? s.computingSha : s.computeSha}
              </button>
            </div>
            {actionError?.action === "hash" ? <ErrorMessage error={actionError.error} alert /> : null}
          </Fact>
          <Fact label={s.path} testId="fact-path">
            <span className="mono wrap">{m.path}</span>
          </Fact>
          <Fact label={s.source}>{strings.models.source[m.source]}</Fact>
          <Fact label={s.status}>
            <StatusBadge status={m.status} />
          </Fact>
          <Fact label={s.added}>{when(m.addedAt)}</Fact>
          <Fact label={s.checked}>{when(m.checkedAt)}</Fact>
        </dl>
        {tensorTypes.length ? (
          <details>
            <summary>{s.tensorTypes}</summary>
            <ul className="plain-list inline-list">
              {tensorTypes.map(([type, n]) => (
                <li key={type}>{s.tensorTypeCount(type, n)}</li>
              ))}
            </ul>
          </details>
        ) : null}
        {metadata.length ? (
          <details>
            <summary>{s.metadata(metadata.length)}</summary>
            <table className="data-table compact metadata-table">
              <thead>
                <tr>
                  <th scope="col">{s.metadataKey}</th>
                  <th scope="col">{s.metadataValue}</th>
                </tr>
              </thead>
              <tbody>
                {metadata.map(([key, value]) => (
                  <tr key={key}>
                    <th scope="row" className="mono">
                      {key}
                    </th>
                    <td className="mono wrap">{value === null ? dash : String(value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        ) : null}
        <div className="danger-zone">
          {actionError?.action === "remove" ? <ErrorMessage error={actionError.error} alert /> : null}
          {confirming ? (
            <div role="group" aria-label={s.remove} className="confirm">
              <p>{s.removeConfirm(m.name)}</p>
              <button type="button" className="danger" onClick={() => void remove(m.id)}>
                {s.removeYes}
              </button>
              <button type="button" onClick={() => setConfirming(false)} autoFocus>
                {strings.common.cancel}
              </button>
            </div>
          ) : (
            <button type="button" className="danger-outline" onClick={() => setConfirming(true)}>
              {s.remove}
            </button>
          )}
        </div>
      </section>
      {/* Trying comes before the estimate's numbers: it is what most people open a model for. */}
      <TryPanel model={m} />
      {m.status !== "error" ? <MemoryEstimate modelId={m.id} contextLength={m.contextLength} /> : null}
    </div>
  );
}
