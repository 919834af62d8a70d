/**
 * `npm run bench:ask`: 200 concurrent askers against the built server, mail
 * to an SMTP server in this process. Prints requests/s and p50/p95 latency,
 * then the proof that nothing was lost: acknowledged ids = question rows =
 * receipts delivered, no duplicates. Then a second burst during which the
 * server is killed with SIGKILL; it is restarted, the unacknowledged requests
 * are retried with their idempotency keys, and the same counts must still
 * match. Uses DATABASE_URL when set (PostgreSQL), else embedded PGlite.
 * Prints figures; exits 1 only if a count does not match.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
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

interface Ask {
  key: string;
  body: string;
  id?: string;
  number?: string;
}

const asks = (n: number, tag: string): Ask[] =>
  Array.from({ length: n }, (_, i) => ({
    key: randomUUID(),
    body: JSON.stringify({ kind: 'consult', title: `压测问题 ${tag}-${i}`, body: `这是压测生成的第 ${i} 个问题，用来验证提交不会丢失。`, email: `bench${i % 50}@example.cn` }),
  }));

async function send(url: string, a: Ask): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${url}/api/questions`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': a.key }, body: a.body });
  const json = (await res.json()) as { id?: string; number?: string };
  if (res.status !== 201 || !json.id) throw new Error(`status ${res.status}: ${JSON.stringify(json)}`);
  a.id = json.id;
  a.number = json.number;
  return performance.now() - started;
}

/** Sends every ask not yet acknowledged, CONCURRENCY at a time; errors (a dead server) leave it unacknowledged. */
async function burst(url: string, list: Ask[], onAck?: (done: number) => void): Promise<number[]> {
  const times: number[] = [];
  const queue = list.filter((a) => !a.id);
  let done = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let a = queue.shift(); a; a = queue.shift()) {
        try {
          times.push(await send(url, a));
          onAck?.(++done);
        } catch {
          // unacknowledged: retried after the restart
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

async function waitForMail(received: unknown[], expected: number, ms = 120_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && received.length < expected) await new Promise((r) => setTimeout(r, 250));
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
    const t0 = performance.now();
    const times = await burst(server.url, first);
    const seconds = (performance.now() - t0) / 1000;
    console.log(`burst: ${(times.length / seconds).toFixed(0)} req/s · p50 ${pct(times, 50).toFixed(0)} ms · p95 ${pct(times, 95).toFixed(0)} ms · p99 ${pct(times, 99).toFixed(0)} ms`);
    await waitForMail(smtp.received, REQUESTS);

    // The crash: SIGKILL once a third of the second burst is acknowledged.
    const second = asks(CRASH_REQUESTS, 'b');
    await burst(server.url, second, (done) => {
      if (done === Math.floor(CRASH_REQUESTS / 3)) server.child.kill('SIGKILL');
    });
    await server.stop('SIGKILL');
    const lost = second.filter((a) => !a.id).length;
    console.log(`killed with SIGKILL after ${CRASH_REQUESTS - lost} acknowledged; ${lost} unacknowledged, retried after restart with their keys`);
    server = await start();
    await burst(server.url, second);
    await burst(server.url, second.filter((a) => a.id).slice(0, 50).map((a) => ({ ...a, id: undefined }))); // retries of acknowledged ones must not add rows
    // A receipt whose sender was killed mid-send goes out once its job expires and the sending lease is over (≈ 2 min).
    await waitForMail(smtp.received, REQUESTS + CRASH_REQUESTS, 240_000);
    await server.stop();
    const counted = await countRows(env);
    const receipts = await receiptsByNumber(smtp.received);
    ok = report('after the crash', [...first, ...second], counted, receipts);
  } finally {
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
