import { useId, useState } from "react";
import type { PolytuneErrorShape } from "../../../electron/shared/contract.js";
import { fileName } from "../format/fileName.js";
import { strings } from "../i18n/strings.js";

const s = strings.common;

/** "message. hint" with the ending punctuation the sentence needs, whatever the engine sent. */
export function errorSentence(error: PolytuneErrorShape): string {
  const sentence = (text: string) => (/[.!?…]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);
  return error.hint ? `${sentence(error.message)} ${sentence(error.hint)}` : sentence(error.message);
}

/**
 * An error as the UI promises it: "file: what happened. what to do", with code, full path and
 * technical details one click away (never a stack trace as the only message).
 */
export function ErrorMessage({ error, subject, alert = false }: { error: PolytuneErrorShape; subject?: string | null; alert?: boolean }) {
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  const who = subject ?? (error.where ? fileName(error.where) : null);
  return (
    <div className="error-message" role={alert ? "alert" : undefined} data-code={error.code}>
      <p className="error-text">
        {who ? <strong className="error-subject">{who}: </strong> : null}
        {errorSentence(error)}
      </p>
      <button type="button" className="link-button" aria-expanded={open} aria-controls={detailsId} onClick={() => setOpen(!open)}>
        {open ? s.hideDetails : s.details}
      </button>
      <dl id={detailsId} className="error-details" hidden={!open}>
        <dt>{s.errorCode}</dt>
        <dd>
          <code>{error.code}</code>
        </dd>
        {error.where ? (
          <>
            <dt>{s.errorWhere}</dt>
            <dd className="mono wrap">{error.where}</dd>
          </>
        ) : null}
        {error.details ? (
          <>
            <dt>{s.errorDetails}</dt>
            <dd>
              <pre className="error-pre">{error.details}</pre>
            </dd>
          </>
        ) : null}
      </dl>
    </div>
  );
}
