/**
 * `npm run bench:files`: a 1 GB courseware version uploaded and downloaded
 * through the built server (demo mode, embedded data), next to a plain `cp`
 * of the same file; the server's RSS sampled every 20 ms meanwhile (its peak
 * above idle must stay under 200 MB: uploads stream to disk, downloads stream
 * from it); then seek latency — single Range requests in the middle of a
 * video and of the big file — p50/p95. Prints the figures in one line at the
 * end. BENCH_FILE_MB sets the size (default 1024).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, createReadStream, createWriteStream, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { once } from 'node:events';
import { demoPasswords } from '../../tests/helpers/http.ts';
import { freeTestPort, startDayi, type RunningServer } from '../../tests/helpers/server.ts';
import { tempDir } from '../../tests/helpers/tmp.ts';
import { appRoot } from '../../src/server/shared/paths.ts';

const SIZE_MB = Number(process.env.BENCH_FILE_MB ?? 1024);
const MB = 1024 * 1024;
const SEEKS = 200;
const COURSE = 'data-reporting';
const VIDEO = 'data-reporting-demo';

/** Resident memory of a process in MB (Linux /proc). */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/** Samples a process's RSS until stopped; returns the highest seen. */
function sampleRss(pid: number): () => number {
  let peak = rssMb(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 20);
  return () => {
    clearInterval(timer);
    return Math.max(peak, rssMb(pid));
  };
}

/** A PDF the courseware check accepts (header, then filler, then the end marker), written in 1 MB chunks. */
async function makePdf(file: string, sizeMb: number): Promise<void> {
  const out = createWriteStream(file);
  const chunk = Buffer.alloc(MB);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 2654435761) >>> 24;
  out.write('%PDF-1.7\n');
  for (let i = 0; i < sizeMb; i++) if (!out.write(chunk)) await once(out, 'drain');
  out.end('\n%%EOF\n');
  await once(out, 'finish');
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function signIn(server: RunningServer, email: string, password: string): Promise<string> {
  const res = await fetch(`${server.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password }),
  });
  return `dayi_session=${/dayi_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]}`;
}

/** Posts a multipart form as a browser does, the file streamed from disk (never in memory here either). */
function uploadVersion(server: RunningServer, cookie: string, file: string, version: string): Promise<number> {
  const boundary = `----dayibench${Date.now()}`;
  const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const head = Buffer.from(
    field('version', version) +
      field('changelog', '压测上传的大文件版本。') +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="大文件-${version}.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname,
        port,
        method: 'POST',
        path: `/courseware/${COURSE}/versions`,
        headers: {
          Origin: server.url,
          Cookie: cookie,
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
          'Content-Length': head.length + statSync(file).size + tail.length,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.write(head);
    const body = createReadStream(file, { highWaterMark: MB });
    body.pipe(req, { end: false });
    body.on('end', () => req.end(tail));
  });
}

/** GETs a URL, counting the body's bytes without keeping them. */
function download(url: string, cookie: string, range?: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { Cookie: cookie, ...(range ? { Range: range } : {}) } }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      })
      .on('error', reject);
  });
}

/** SEEKS single-range requests of `part` bytes at offsets spread over the middle half of a file; latency to the whole part. */
async function seeks(url: string, cookie: string, size: number, part = 256 * 1024): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < SEEKS; i++) {
    const start = Math.floor(size / 4 + ((i * 7919) % SEEKS) * (size / 2 / SEEKS));
    const end = Math.min(size - 1, start + part - 1);
    const t0 = performance.now();
    const res = await download(url, cookie, `bytes=${start}-${end}`);
    times.push(performance.now() - t0);
    if (res.status !== 206 || res.bytes !== end - start + 1) throw new Error(`Range ${start}-${end}: status ${res.status}, ${res.bytes} bytes`);
  }
  return times;
}

const work = tempDir('dayi-bench-files');
const big = path.join(work, 'big.pdf');
console.log(`bench:files — ${SIZE_MB} MB through the built server (embedded data, ${work})`);
await makePdf(big, SIZE_MB);
const size = statSync(big).size;
spawnSync('sync');

let t0 = performance.now();
if (spawnSync('cp', [big, path.join(work, 'copy.pdf')]).status !== 0) throw new Error('cp failed');
spawnSync('sync');
const cpSeconds = (performance.now() - t0) / 1000;
console.log(`  cp of the same file (with sync): ${(size / MB / cpSeconds).toFixed(0)} MB/s`);

// A copy of the demo content: publishing a version rewrites the course's markdown.
const contentDir = path.join(work, 'content');
cpSync(path.join(appRoot(), 'content'), contentDir, { recursive: true });
// With the demo files (a copy of the content gets none at start): the demo lesson video is seeked in.
const filesDir = path.join(work, 'files');
cpSync(path.join(appRoot(), 'demo/files'), filesDir, { recursive: true });
const server = await startDayi({ PORT: await freeTestPort(), DATABASE_URL: undefined, CONTENT_DIR: contentDir, FILES_DIR: filesDir, COURSEWARE_MAX_MB: String(SIZE_MB + 16), ASK_RATE_LIMIT: '0' }, { timeoutMs: 120_000 });
const pid = server.child.pid!;
try {
  const passwords = await demoPasswords(server);
  const trainer = await signIn(server, 'trainer@demo.dayi', passwords['trainer@demo.dayi']!);
  for (let i = 0; i < 20; i++) await download(`${server.url}/courseware/${COURSE}`, trainer);
  const idle = rssMb(pid);
  console.log(`  server RSS at idle: ${idle.toFixed(0)} MB`);

  let peak = sampleRss(pid);
  t0 = performance.now();
  const status = await uploadVersion(server, trainer, big, 'v9.0');
  const upSeconds = (performance.now() - t0) / 1000;
  const upPeak = peak();
  if (status !== 303) throw new Error(`upload answered ${status}`);
  console.log(`  upload: ${(size / MB / upSeconds).toFixed(0)} MB/s (${upSeconds.toFixed(1)} s; received, hashed, checked, placed), peak RSS ${upPeak.toFixed(0)} MB`);

  const url = `${server.url}/courseware/${COURSE}/download/v9.0`;
  peak = sampleRss(pid);
  t0 = performance.now();
  const got = await download(url, trainer);
  const downSeconds = (performance.now() - t0) / 1000;
  const downPeak = peak();
  if (got.status !== 200 || got.bytes !== size) throw new Error(`download: status ${got.status}, ${got.bytes} of ${size} bytes`);
  console.log(`  download: ${(size / MB / downSeconds).toFixed(0)} MB/s (${downSeconds.toFixed(1)} s), peak RSS ${downPeak.toFixed(0)} MB`);

  const bigSeeks = await seeks(url, trainer, size);
  console.log(`  Range in the middle of the ${SIZE_MB} MB file: p50 ${pct(bigSeeks, 50).toFixed(1)} ms, p95 ${pct(bigSeeks, 95).toFixed(1)} ms (${SEEKS} requests of 256 KB)`);

  const videoUrl = `${server.url}/videos/${VIDEO}/media`;
  const videoSize = statSync(path.join(filesDir, (/^file: (.+)$/m.exec(readFileSync(path.join(contentDir, `videos/${VIDEO}.md`), 'utf8')) ?? [])[1]!)).size;
  const videoSeeks = await seeks(videoUrl, trainer, videoSize, 64 * 1024);
  console.log(`  Range in the middle of the demo lesson video (${(videoSize / MB).toFixed(1)} MB mp4): p50 ${pct(videoSeeks, 50).toFixed(1)} ms, p95 ${pct(videoSeeks, 95).toFixed(1)} ms (${SEEKS} requests of 64 KB)`);

  const over = Math.max(upPeak, downPeak) - idle;
  console.log(
    `bench:files: upload ${(size / MB / upSeconds).toFixed(0)} MB/s, download ${(size / MB / downSeconds).toFixed(0)} MB/s, cp ${(size / MB / cpSeconds).toFixed(0)} MB/s; ` +
      `peak RSS ${over.toFixed(0)} MB above idle ${idle.toFixed(0)} MB (${over < 200 ? 'under' : 'OVER'} 200 MB); ` +
      `video seek p50 ${pct(videoSeeks, 50).toFixed(1)} ms p95 ${pct(videoSeeks, 95).toFixed(1)} ms; ${SIZE_MB} MB file seek p50 ${pct(bigSeeks, 50).toFixed(1)} ms p95 ${pct(bigSeeks, 95).toFixed(1)} ms`,
  );
} finally {
  await server.stop();
}
