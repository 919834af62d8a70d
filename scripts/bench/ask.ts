/**
 * `npm run bench:ask`: 200 concurrent askers against the built server, mail
 * to an SMTP server in this process. Prints requests/s and p50/p95 latency
 * (with the CPU this process used meanwhile, so the figures say what the load
 * generator took from the machine), then the same at a lower concurrency for
 * comparison, then the proof that nothing was lost: acknowledged ids =
 * question rows = receipts delivered, no duplicates. Then a second burst
 * during which the server is killed with SIGKILL; it is restarted, the
 * unacknowledged requests are retried with their idempotency keys (up to
 * three rounds, each extra round printed with its errors), and the same
 * counts must still match. A request that fails on a kept-alive connection
 * the server had already closed is sent again once on a new one, as Node's
 * documentation advises (`request.reusedSocket`); a measured burst prints how
 * many were. Uses DATABASE_URL when set (PostgreSQL), else
 * embedded PGlite. Prints figures; exits 1 only if a count does not match.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import postgres from 'postgres';
import { openDatabase } from '../../db/client.ts';
import { questions } from '../../db/schema/index.ts';
import { freeTestPort, startDayi, type RunningServer } from '../../tests/helpers/server.ts';
import { startSmtpServer } from '../../tests/helpers/smtp.ts';
import { withDatabaseName } from '../../tests/helpers/pg-url.ts';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 200);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CRASH_REQUESTS = Number(process.env.BENCH_CRASH_REQUESTS ?? 600);
/** A second, smaller burst at this concurrency, for comparison (0 = none). */
const LOW_CONCURRENCY = Number(process.env.BENCH_LOW_CONCURRENCY ?? 50);
const LOW_REQUESTS = Number(process.env.BENCH_LOW_REQUESTS ?? 1000);

interface Ask {
  key: string;
  /** The JSON body, encoded once beforehand so the load generator spends its time sending. */
  body: Buffer;
  id?: string;
  number?: string;
  /** Why the last attempt was not acknowledged. */
  error?: string;
}

/** Receipts go to these addresses, so other mail (alerts to admins) is told apart without parsing. */
const ASKER = /^bench\d+@example\.cn$/;

const asks = (n: number, tag: string): Ask[] =>
  Array.from({ length: n }, (_, i) => ({
    key: randomUUID(),
    body: Buffer.from(JSON.stringify({ kind: 'consult', title: `压测问题 ${tag}-${i}`, body: `这是压测生成的第 ${i} 个问题，用来验证提交不会丢失。`, email: `bench${i % 50}@example.cn` })),
  }));

/** One keep-alive connection per asker: node:http costs the load generator far less CPU per request than fetch. */
let agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/** Requests sent again because the connection they went out on had been closed by the server (printed per measured burst). */
let resentOnClosedConnection = 0;

function post(url: string, a: Ask): Promise<{ status: number; text: string }> {
  return postOnce(url, a).catch((err: NodeJS.ErrnoException & { reusedSocket?: boolean }) => {
    // A kept-alive connection the server closed as idle (its keepAliveTimeout, 5 s) just as the request
    // went out on it: the request never reached the server. As Node's documentation advises for
    // `request.reusedSocket`, such a request is sent again, once, on a new connection.
    if (!err.reusedSocket || (err.code !== 'ECONNRESET' && err.message !== 'socket hang up')) throw err;
    resentOnClosedConnection++;
    return postOnce(url, a);
  });
}

function postOnce(url: string, a: Ask): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { hostname, port, path: '/api/questions', method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': a.body.length, 'Idempotency-Key': a.key } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', (err) => reject(Object.assign(err, { reusedSocket: req.reusedSocket })));
    req.end(a.body);
  });
}

async function send(url: string, a: Ask): Promise<number> {
  const started = performance.now();
  const res = await post(url, a);
  const json = JSON.parse(res.text) as { id?: string; number?: string };
  if (res.status !== 201 || !json.id) throw new Error(`status ${res.status}: ${res.text}`);
  a.id = json.id;
  a.number = json.number;
  return performance.now() - started;
}

/** Busy and total core-seconds of the whole machine so far (Linux), to show what else ran during a burst. */
function machineTicks(): { busy: number; total: number } | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = f.reduce((a, b) => a + b, 0) / 100;
    return { busy: total - (f[3]! + f[4]!) / 100, total };
  } catch {
    return null;
  }
}

/** Runs a burst and prints its figures, with the CPU this process (load generator and SMTP server) and the whole machine used meanwhile. */
async function measuredBurst(label: string, url: string, list: Ask[], concurrency: number): Promise<void> {
  const cpu0 = process.cpuUsage();
  const resent0 = resentOnClosedConnection;
  const m0 = machineTicks();
  const t0 = performance.now();
  const times = await burst(url, list, undefined, concurrency);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const m1 = machineTicks();
  const own = (cpu.user + cpu.system) / 1e6;
  const machine = m0 && m1 ? ` · machine busy ${(m1.busy - m0.busy).toFixed(1)} of ${(m1.total - m0.total).toFixed(1)} core-s (${os.availableParallelism()} cores)` : '';
  console.log(
    `${label}: ${concurrency} concurrent · ${(times.length / seconds).toFixed(0)} req/s · p50 ${pct(times, 50).toFixed(0)} ms · p95 ${pct(times, 95).toFixed(0)} ms · p99 ${pct(times, 99).toFixed(0)} ms` +
      `\n  ${seconds.toFixed(1)} s; load generator + SMTP server used ${own.toFixed(1)} CPU-s${machine}`,
  );
  const resent = resentOnClosedConnection - resent0;
  if (resent) console.log(`  ${resent} sent again on a new connection: the server had closed the kept-alive one as idle (between bursts)`);
}

/** Sends every ask not yet acknowledged, `concurrency` at a time; errors (a dead server) leave it unacknowledged. */
async function burst(url: string, list: Ask[], onAck?: (done: number) => void, concurrency = CONCURRENCY): Promise<number[]> {
  const times: number[] = [];
  const queue = list.filter((a) => !a.id);
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let a = queue.shift(); a; a = queue.shift()) {
        try {
          times.push(await send(url, a));
          onAck?.(++done);
        } catch (err) {
          // Unacknowledged: retried after the restart. Why is kept, so a request that still fails says so.
          a.error = (err as Error).message;
        }
      }
    }),
  );
  return times.sort((x, y) => x - y);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** Receipt Message-IDs by question number, from the mails the SMTP server got (parsed as a mail client would). */
async function receiptsByNumber(received: { raw: string }[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const m of received) {
    const mail = await simpleParser(m.raw);
    const number = /^\[答疑 (\d{8}-\d{4,})\]/.exec(mail.subject ?? '')?.[1];
    if (!number || !mail.messageId) continue;
    if (!out.has(number)) out.set(number, new Set());
    out.get(number)!.add(mail.messageId);
  }
  return out;
}

/** Waits until `expected` mails to askers (receipts) have arrived. */
async function waitForReceipts(received: { to: string[] }[], expected: number, ms = 120_000) {
  const deadline = Date.now() + ms;
  const count = () => received.filter((m) => m.to.some((a) => ASKER.test(a))).length;
  while (Date.now() < deadline && count() < expected) await new Promise((r) => setTimeout(r, 250));
}

async function countRows(env: Record<string, string | undefined>): Promise<{ rows: number; numbers: Set<string> }> {
  const database = await openDatabase(env.DATABASE_URL ? { kind: 'postgres', url: env.DATABASE_URL } : { kind: 'pglite', dir: path.join(env.DATA_DIR!, 'pglite') });
  try {
    const rows = await database.db.select({ number: questions.number }).from(questions);
    return { rows: rows.length, numbers: new Set(rows.map((r) => r.number)) };
  } finally {
    await database.close();
  }
}

function report(label: string, list: Ask[], counted: { rows: number; numbers: Set<string> }, receipts: Map<string, Set<string>>): boolean {
  const acked = new Set(list.filter((a) => a.id).map((a) => a.number));
  const duplicateReceipts = [...receipts.values()].filter((ids) => ids.size !== 1).length;
  const missing = [...counted.numbers].filter((n) => !receipts.has(n)).length;
  console.log(`${label}: acknowledged ${acked.size} of ${list.length} · rows ${counted.rows} · receipts ${receipts.size} (questions with ≠ 1 Message-ID: ${duplicateReceipts}, without a receipt: ${missing})`);
  for (const a of list.filter((x) => !x.id).slice(0, 5)) console.log(`  not acknowledged: ${JSON.parse(a.body.toString()).title}: ${a.error ?? 'never sent'}`);
  return acked.size === list.length && counted.rows === acked.size && receipts.size === counted.rows && duplicateReceipts === 0 && missing === 0;
}

async function main() {
  const smtp = await startSmtpServer();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dayi-bench-ask-'));
  let dbName: string | null = null;
  const env: Record<string, string | undefined> = { DATA_DIR: dataDir, SMTP_URL: smtp.url, ASK_RATE_LIMIT: '0', LOG_LEVEL: 'warn', NODE_ENV: 'test' };
  if (process.env.DATABASE_URL) {
    dbName = `dayi_bench_${process.pid}`;
    const admin = postgres(process.env.DATABASE_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE "${dbName}"`);
    await admin.end();
    env.DATABASE_URL = withDatabaseName(process.env.DATABASE_URL, dbName);
  } else env.DATABASE_URL = undefined;
  const start = async () => startDayi({ ...env, PORT: await freeTestPort() }, { timeoutMs: 120_000 });
  let ok = true;
  let server: RunningServer = await start();
  try {
    console.log(`bench:ask — ${REQUESTS} questions, ${CONCURRENCY} concurrent, ${env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}, mail over SMTP`);
    const first = asks(REQUESTS, 'a');
    const mailStart = performance.now();
    await measuredBurst('burst', server.url, first, CONCURRENCY);
    await waitForReceipts(smtp.received, REQUESTS);
    console.log(`  all ${REQUESTS} receipts delivered ${((performance.now() - mailStart) / 1000).toFixed(1)} s after the burst began`);
    const low = asks(LOW_CONCURRENCY > 0 ? LOW_REQUESTS : 0, 'l');
    if (low.length) {
      await measuredBurst('for comparison', server.url, low, LOW_CONCURRENCY);
      await waitForReceipts(smtp.received, REQUESTS + low.length);
    }

    // The crash: SIGKILL once a third of the second burst is acknowledged.
    const second = asks(CRASH_REQUESTS, 'b');
    await burst(server.url, second, (done) => {
      if (done === Math.floor(CRASH_REQUESTS / 3)) server.child.kill('SIGKILL');
    });
    await server.stop('SIGKILL');
    const lost = second.filter((a) => !a.id).length;
    console.log(`killed with SIGKILL after ${CRASH_REQUESTS - lost} acknowledged; ${lost} unacknowledged, retried after restart with their keys`);
    // Connections kept alive to the killed server are gone; the restarted one listens on another port.
    agent.destroy();
    agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    server = await start();
    // As a client holding idempotency keys would: whatever is still unacknowledged is sent again (at most three
    // rounds), and each round that was needed is printed with why its requests failed.
    for (let round = 1; round <= 3 && second.some((a) => !a.id); round++) {
      const pending = second.filter((a) => !a.id);
      if (round > 1) console.log(`  retry round ${round}: ${pending.length} still unacknowledged (${[...new Set(pending.map((a) => a.error))].join('; ')})`);
      await burst(server.url, pending);
    }
    await burst(server.url, second.filter((a) => a.id).slice(0, 50).map((a) => ({ ...a, id: undefined }))); // retries of acknowledged ones must not add rows
    // A receipt whose sender was killed mid-send goes out at the first sweep after its sending lease (1 min).
    await waitForReceipts(smtp.received, REQUESTS + low.length + CRASH_REQUESTS, 240_000);
    await server.stop();
    const counted = await countRows(env);
    const receipts = await receiptsByNumber(smtp.received);
    ok = report('after the crash', [...first, ...low, ...second], counted, receipts);
  } finally {
    agent.destroy();
    if (server.child.exitCode === null) await server.stop();
    await smtp.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (dbName && process.env.DATABASE_URL) {
      const admin = postgres(process.env.DATABASE_URL, { max: 1, onnotice: () => {} });
      await admin.unsafe(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await admin.end();
    }
  }
  console.log(ok ? 'nothing lost, nothing doubled' : 'MISMATCH: see the counts above');
  process.exit(ok ? 0 : 1);
}

await main();
