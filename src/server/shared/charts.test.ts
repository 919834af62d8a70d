import { describe, expect, it } from 'vitest';
import { barChartSvg } from './charts.ts';

const chart = (bars: { label: string; value: number }[], max?: number) =>
  barChartSvg({ id: 'dist 1', title: '得分分布', description: '3 份 <评估表>', bars, ...(max ? { max } : {}) });

describe('the server-rendered bar chart', () => {
  it('is an image named by its title and description, for screen readers', () => {
    const svg = chart([{ label: '90–100', value: 2 }]);
    expect(svg).toMatch(/^<svg [^>]*role="img"/);
    expect(svg).toContain('aria-labelledby="dist-1-title dist-1-desc"');
    expect(svg).toContain('<title id="dist-1-title">得分分布</title>');
    expect(svg).toContain('<desc id="dist-1-desc">3 份 &lt;评估表&gt;</desc>');
  });

  it('draws one bar per value, as tall as its share of the largest', () => {
    const svg = chart([
      { label: 'A', value: 1 },
      { label: 'B', value: 4 },
      { label: 'C', value: 0 },
    ]);
    const heights = [...svg.matchAll(/class="bar"[^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights).toHaveLength(3);
    expect(heights[1]).toBe(160);
    expect(heights[0]).toBe(40);
    expect(heights[2]).toBe(0);
  });

  it('measures against a given top of the axis, and writes each value and label', () => {
    const svg = barChartSvg({ id: 'x', title: 't', description: 'd', bars: [{ label: '第1题', value: 3.5 }], max: 7, format: (v) => v.toFixed(1) });
    expect(svg).toMatch(/class="bar"[^>]*height="80"/);
    expect(svg).toContain('>3.5</text>');
    expect(svg).toContain('>第1题</text>');
  });

  it('escapes labels, so data cannot add markup', () => {
    const svg = chart([{ label: '<script>&', value: 1 }]);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;&amp;');
  });
});
