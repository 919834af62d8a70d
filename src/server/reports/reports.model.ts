import type { ReportPeriod } from './reports.period.ts';

/** A cell: numbers stay numbers (CSV keeps them exact); null shows as "—". */
export type Cell = string | number | null;

/** One table of a report: shown on the page and exported alone as CSV. */
export interface ReportTable {
  /** Unique in the report; the CSV export names it (`/admin/reports/<id>.csv`). */
  id: string;
  title: string;
  columns: string[];
  rows: Cell[][];
  /** The page shows at most this many rows (the CSV has them all); said under the table. */
  shownRows?: number;
  /** Said under the table: how a figure is counted. */
  note?: string;
}

/** A headline figure with the previous period's beside it. */
export interface Figure {
  label: string;
  current: number | null;
  previous: number | null;
  /** Written after the number: 小时, %, 分 … */
  unit: string;
  /** Whether a rise is good news (satisfaction) or bad (breaches); null when neither. */
  higherIsBetter: boolean | null;
}

export interface ReportChart {
  svg: string;
}

export interface ReportSection {
  id: string;
  title: string;
  figures: Figure[];
  charts: ReportChart[];
  tables: ReportTable[];
}

export interface Report {
  period: ReportPeriod;
  previous: ReportPeriod;
  /** An engineer's own figures, or everyone's. */
  engineer: { id: string; name: string } | null;
  sections: ReportSection[];
  /** Milliseconds each section took to compute (bench:reports prints them). */
  timings: Record<string, number>;
}

/** One decimal, or null. */
export const r1 = (n: number | null | undefined): number | null => (n === null || n === undefined || Number.isNaN(n) ? null : Math.round(n * 10) / 10);

/** The share met of the settled clocks, in percent (one decimal); null when none settled. */
export const compliance = (met: number, breached: number): number | null => (met + breached ? r1((met * 100) / (met + breached)) : null);

/** a / b in percent (one decimal); null when b is 0. */
export const percent = (a: number, b: number): number | null => (b ? r1((a * 100) / b) : null);

/** The change from the previous period, in the figure's own unit; null when either is missing. */
export const delta = (f: Pick<Figure, 'current' | 'previous'>): number | null => (f.current === null || f.previous === null ? null : r1(f.current - f.previous));
