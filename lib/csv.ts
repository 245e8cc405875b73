import { stringify } from 'csv-stringify/sync';

/**
 * CSV as every export of this service writes it: one row at a time, each cell neutralised
 * against spreadsheet formula injection (OWASP "CSV Injection"): a text cell that starts with
 * `=`, `+`, `-`, `@`, a tab or a carriage return — which Excel, LibreOffice and Google Sheets
 * would run as a formula — is prefixed with a single quote, so it is shown as the text it is.
 * Cells are quoted (and their quotes doubled) wherever CSV needs it. Numbers and booleans are
 * written as they are.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** One CSV line (with its line break) of `values`, each through `csvCell`. */
export function csvRow(values: readonly unknown[]): string {
  return stringify([values.map(csvCell)]);
}
