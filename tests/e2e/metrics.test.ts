import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer } from '../helpers/server.ts';
import { startTestServer } from '../helpers/test-server.ts';

const TOKEN = 'scrape-token-for-the-metrics-test-0123';
let server: RunningServer;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ server, stop } = await startTestServer({ METRICS_TOKEN: TOKEN }));
});
afterAll(async () => {
  await stop?.();
});

const scrape = (auth?: string) => fetch(`${server.url}/metrics`, { headers: auth ? { Authorization: auth } : {} });

describe('GET /metrics', () => {
  it('answers only a scraper with the bearer token', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape('Bearer wrong-token')).status).toBe(401);
    const res = await scrape(`Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('counts requests by route pattern with latency histograms, and reports questions, outbox, jobs and search', async () => {
    // The second and third are answered by the page cache: counted all the same.
    for (let i = 0; i < 3; i++) expect((await fetch(`${server.url}/faq`)).status).toBe(200);
    await fetch(`${server.url}/api/search?q=${encodeURIComponent('密码')}`);
    const asked = await fetch(`${server.url}/api/questions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'consult', title: '指标接口统计用的问题', body: '这个问题用来检查未结问题的计数。', email: 'metrics@example.cn' }),
    });
    expect(asked.status).toBe(201);
    const text = await (await scrape(`Bearer ${TOKEN}`)).text();
    expect(text).toMatch(/^dayi_http_requests_total\{route="\/faq",method="GET",status="200"\} 3$/m);
    expect(text).toMatch(/^dayi_http_request_duration_seconds_bucket\{route="\/api\/search",le="\+Inf"\} [1-9]/m);
    expect(text).toMatch(/^dayi_search_engine_duration_seconds_count [1-9]/m);
    expect(text).toMatch(/^dayi_questions_open\{status="new"\} 1$/m);
    expect(text).toMatch(/^dayi_outbox_mail\{status="failed"\} 0$/m);
    expect(text).toMatch(/^dayi_jobs_failed\{queue="sla.fire"\} 0$/m);
    expect(text).toMatch(/^dayi_search_up 1$/m);
    // Every sample line is `name{labels} value`, and every metric is typed.
    for (const line of text.trim().split('\n').filter((l) => !l.startsWith('#'))) expect(line).toMatch(/^[a-z_]+(\{[^}]*\})? -?[\d.e+-]+$/);
    expect(text).not.toMatch(/metrics@example\.cn/);
  });
});

describe('GET /metrics without METRICS_TOKEN', () => {
  it('does not exist', async () => {
    const { server: plain, stop: stopPlain } = await startTestServer({});
    try {
      expect((await fetch(`${plain.url}/metrics`)).status).toBe(404);
    } finally {
      await stopPlain();
    }
  }, 120_000);
});
