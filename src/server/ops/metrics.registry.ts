/**
 * This process's request and search figures for `GET /metrics` (Prometheus
 * text format). Kept in memory per process: behind a proxy with several
 * processes, each is scraped on its own port (or summed by Prometheus).
 */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  labels: Record<string, string>;
  counts: number[];
  sum: number;
  count: number;
}

const REGISTRY = Symbol.for('dayi.metrics');
interface Registry {
  requests: Map<string, { labels: Record<string, string>; value: number }>;
  durations: Map<string, Histogram>;
  search: Histogram;
}
const newHistogram = (labels: Record<string, string>): Histogram => ({ labels, counts: BUCKETS.map(() => 0), sum: 0, count: 0 });

/** One registry per process, whichever bundle (server, scripts) imports this module. */
function registry(): Registry {
  const g = globalThis as Record<symbol, Registry | undefined>;
  return (g[REGISTRY] ??= { requests: new Map(), durations: new Map(), search: newHistogram({}) });
}

function observe(h: Histogram, seconds: number) {
  h.sum += seconds;
  h.count++;
  for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) h.counts[i]!++;
}

/** A request answered: counted by route pattern (never the raw path: numbers and tokens stay out), method and status. */
export function observeRequest({ route, method, status, seconds }: { route: string; method: string; status: number; seconds: number }) {
  const r = registry();
  // Keyed by plain strings (a cached page is answered in tens of microseconds; two JSON.stringify calls were 3 % of that).
  const key = `${route}\u0000${method}\u0000${status}`;
  let c = r.requests.get(key);
  if (!c) r.requests.set(key, (c = { labels: { route, method, status: String(status) }, value: 0 }));
  c.value++;
  let h = r.durations.get(route);
  if (!h) r.durations.set(route, (h = newHistogram({ route })));
  observe(h, seconds);
}

/** One query to the search engine answered (or failed). */
export const observeSearch = (seconds: number) => observe(registry().search, seconds);

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
export const labelText = (labels: Record<string, string>) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

function histogramLines(name: string, h: Histogram): string[] {
  const lines = BUCKETS.map((b, i) => `${name}_bucket${labelText({ ...h.labels, le: String(b) })} ${h.counts[i]}`);
  lines.push(`${name}_bucket${labelText({ ...h.labels, le: '+Inf' })} ${h.count}`, `${name}_sum${labelText(h.labels)} ${h.sum}`, `${name}_count${labelText(h.labels)} ${h.count}`);
  return lines;
}

/** The in-memory figures as Prometheus text. */
export function processMetricsText(): string {
  const r = registry();
  return [
    '# HELP dayi_http_requests_total HTTP requests answered, by route pattern, method and status.',
    '# TYPE dayi_http_requests_total counter',
    ...[...r.requests.values()].map((c) => `dayi_http_requests_total${labelText(c.labels)} ${c.value}`),
    '# HELP dayi_http_request_duration_seconds Time to answer a request, by route pattern.',
    '# TYPE dayi_http_request_duration_seconds histogram',
    ...[...r.durations.values()].flatMap((h) => histogramLines('dayi_http_request_duration_seconds', h)),
    '# HELP dayi_search_engine_duration_seconds Time of each search query to Meilisearch.',
    '# TYPE dayi_search_engine_duration_seconds histogram',
    ...histogramLines('dayi_search_engine_duration_seconds', r.search),
  ].join('\n');
}
