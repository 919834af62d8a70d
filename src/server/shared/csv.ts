/**
 * A cell as Excel reads it safely: quoted when it holds a comma, quote or line
 * break, and a text starting with = + - @ (or a tab or carriage return) is
 * prefixed with ' so Excel shows it instead of running it as a formula.
 */
export function csvCell(value: string | number): string {
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows as a CSV document Excel opens in Chinese: UTF-8 with a BOM, CRLF line ends. */
export function csvDocument(rows: readonly (readonly (string | number)[])[]): string {
  return `\uFEFF${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
