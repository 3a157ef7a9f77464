// One CSV field as every export writes it: missing values empty (never 0), a field with a comma, a quote
// or a line break quoted so the columns stay aligned.

export function csvField(value: string | number | boolean | null | undefined): string {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
