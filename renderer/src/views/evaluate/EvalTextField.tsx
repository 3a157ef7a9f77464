import type { ReactNode } from "react";

export interface EvalTextFieldProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** The sentence next to the field when it is wrong (shown once the user tried to start). */
  error?: string | undefined;
  /** The field's key in the draft's errors ("decoding.maxTokens"), written on the message for tests and styles. */
  field: string;
  help?: ReactNode;
  placeholder?: string;
  multiline?: boolean;
  numeric?: boolean;
  wide?: boolean;
}

/** One labelled text box of the evaluation form, with its help and its error tied to it for screen readers. */
export function EvalTextField({ id, label, value, onChange, error, field, help, placeholder, multiline = false, numeric = false, wide = false }: EvalTextFieldProps) {
  const describedBy = [error ? `${id}-error` : "", help ? `${id}-help` : ""].filter(Boolean).join(" ") || undefined;
  const common = {
    id,
    value,
    placeholder,
    spellCheck: false,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy,
  } as const;
  return (
    <div className={wide ? "field field-wide" : "field"}>
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea {...common} rows={Math.max(2, value.split("\n").length)} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input {...common} type="text" inputMode={numeric ? "decimal" : undefined} onChange={(e) => onChange(e.target.value)} />
      )}
      {error ? (
        <p className="field-error" id={`${id}-error`} data-field={field}>
          {error}
        </p>
      ) : null}
      {help ? (
        <p className="help" id={`${id}-help`}>
          {help}
        </p>
      ) : null}
    </div>
  );
}
