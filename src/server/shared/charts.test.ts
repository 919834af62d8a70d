import { describe, expect, it } from 'vitest';
import { barChartSvg, lineChartSvg } from './charts.ts';

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

describe('the server-rendered trend line', () => {
  const points = [0, 5, 10, 5].map((value, i) => ({ label: `11-0${i + 1}`, value }));

  it('joins the points, the largest at the top of the plot and zero on the axis', () => {
    const svg = lineChartSvg({ id: 'trend', title: '每日提问', description: '4 天', points });
    const d = /class="line" d="([^"]+)"/.exec(svg)![1]!;
    const ys = [...d.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(ys).toEqual([184, 102, 20, 102]);
    expect(svg).toContain('<title id="trend-title">每日提问</title>');
  });

  it('draws the previous period dashed, and labels at most about eight steps', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ label: `d${i}`, value: i }));
    const svg = lineChartSvg({ id: 't', title: 't', description: 'd', points: many, compare: many.map((p) => ({ ...p, value: 1 })) });
    expect(svg).toContain('class="compare"');
    expect([...svg.matchAll(/>d\d+<\/text>/g)].length).toBeLessThanOrEqual(9);
    expect(svg).toContain('>d29</text>');
  });
});
