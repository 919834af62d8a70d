import { escapeText } from './html.ts';

/**
 * Charts drawn on the server as SVG text, so they show without JavaScript,
 * print, and read the same in every browser. Pure functions: data in, markup
 * out. Every chart is `role="img"` with a `<title>` and `<desc>` naming the
 * figures, for screen readers; pages add a data table beside it where the
 * exact numbers matter.
 */

export interface Bar {
  label: string;
  value: number;
}

export interface BarChartInput {
  /** Unique on the page: the ids of the title and description derive from it. */
  id: string;
  title: string;
  /** What the chart shows, in words (the figures included). */
  description: string;
  bars: Bar[];
  /** The top of the value axis; default the largest value (at least 1). */
  max?: number;
  /** How a value is written above its bar; default the number. */
  format?: (value: number) => string;
  width?: number;
  height?: number;
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * A vertical bar chart: one bar per entry, its value above it and its label
 * below. It scales to its container's width (viewBox), so it never pushes a
 * phone's page sideways.
 */
export function barChartSvg({ id, title, description, bars, max, format = String, width = 480, height = 220 }: BarChartInput): string {
  const safeId = id.replace(/[^A-Za-z0-9_-]/g, '-');
  const top = Math.max(max ?? Math.max(0, ...bars.map((b) => b.value)), 1);
  const pad = { top: 24, bottom: 36, side: 12 };
  const plotH = height - pad.top - pad.bottom;
  const slot = bars.length ? (width - pad.side * 2) / bars.length : 0;
  const barW = Math.max(4, slot * 0.6);
  const base = height - pad.bottom;
  const parts = bars.map((b, i) => {
    const h = round((Math.max(0, b.value) / top) * plotH);
    const x = round(pad.side + i * slot + (slot - barW) / 2);
    const cx = round(pad.side + i * slot + slot / 2);
    return [
      `<rect class="bar" x="${x}" y="${round(base - h)}" width="${round(barW)}" height="${h}" fill="#2f5fb3"/>`,
      `<text x="${cx}" y="${round(base - h - 6)}" text-anchor="middle" font-size="13" fill="#1f2933">${escapeText(format(b.value))}</text>`,
      `<text x="${cx}" y="${base + 20}" text-anchor="middle" font-size="12" fill="#1f2933">${escapeText(b.label)}</text>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMidYMid meet" aria-labelledby="${safeId}-title ${safeId}-desc">`,
    `<title id="${safeId}-title">${escapeText(title)}</title>`,
    `<desc id="${safeId}-desc">${escapeText(description)}</desc>`,
    `<line x1="${pad.side}" y1="${base}" x2="${width - pad.side}" y2="${base}" stroke="#52606d" stroke-width="1"/>`,
    ...parts,
    '</svg>',
  ].join('');
}

export interface LineChartInput {
  id: string;
  title: string;
  description: string;
  /** One point per step (a day, a month), in order; `label` is shown under some of them. */
  points: Bar[];
  /** A second series drawn dashed (the previous period), aligned by position. */
  compare?: Bar[];
  width?: number;
  height?: number;
}

/**
 * A trend line: the values of successive steps joined, the largest marked on
 * the axis, at most about eight labels under it so they never overlap. A
 * compared series (the previous period) is drawn dashed in grey.
 */
export function lineChartSvg({ id, title, description, points, compare = [], width = 640, height = 220 }: LineChartInput): string {
  const safeId = id.replace(/[^A-Za-z0-9_-]/g, '-');
  const top = Math.max(1, ...points.map((p) => p.value), ...compare.map((p) => p.value));
  const pad = { top: 20, bottom: 36, left: 36, right: 12 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const base = height - pad.bottom;
  const steps = Math.max(points.length, compare.length);
  const x = (i: number) => round(pad.left + (steps > 1 ? (i / (steps - 1)) * plotW : plotW / 2));
  const y = (v: number) => round(base - (Math.max(0, v) / top) * plotH);
  const path = (series: Bar[]) => series.map((p, i) => `${i ? 'L' : 'M'}${x(i)} ${y(p.value)}`).join(' ');
  const every = Math.max(1, Math.ceil(points.length / 8));
  const labels = points
    .map((p, i) => (i % every === 0 || i === points.length - 1 ? `<text x="${x(i)}" y="${base + 20}" text-anchor="middle" font-size="12" fill="#1f2933">${escapeText(p.label)}</text>` : ''))
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMidYMid meet" aria-labelledby="${safeId}-title ${safeId}-desc">`,
    `<title id="${safeId}-title">${escapeText(title)}</title>`,
    `<desc id="${safeId}-desc">${escapeText(description)}</desc>`,
    `<line x1="${pad.left}" y1="${base}" x2="${width - pad.right}" y2="${base}" stroke="#52606d" stroke-width="1"/>`,
    `<line x1="${pad.left}" y1="${pad.top}" x2="${width - pad.right}" y2="${pad.top}" stroke="#cbd2d9" stroke-width="1"/>`,
    `<text x="${pad.left - 6}" y="${pad.top + 4}" text-anchor="end" font-size="12" fill="#1f2933">${top}</text>`,
    `<text x="${pad.left - 6}" y="${base + 4}" text-anchor="end" font-size="12" fill="#1f2933">0</text>`,
    compare.length ? `<path class="compare" d="${path(compare)}" fill="none" stroke="#7b8794" stroke-width="1.5" stroke-dasharray="4 3"/>` : '',
    points.length ? `<path class="line" d="${path(points)}" fill="none" stroke="#2f5fb3" stroke-width="2"/>` : '',
    labels,
    '</svg>',
  ].join('');
}
