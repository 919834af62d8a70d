import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { faqClusterMembers, faqClusters, questionEvents, questionRatings, questions, type QuestionStatus } from '../../db/schema/index.ts';
import { defaultFaqSettings } from '../../src/server/faq/faq.config.ts';
import { mergeClusters, rejectCluster, splitQuestion } from '../../src/server/faq/faq.decisions.ts';
import { createFaqEngine, type FaqEngine } from '../../src/server/faq/faq.engine.ts';
import { loadLexicon } from '../../src/server/faq/faq.lexicon.ts';
import { listClusters } from '../../src/server/faq/faq.queries.ts';
import { reclusterAll } from '../../src/server/faq/faq.recluster.ts';
import { similarAnswered } from '../../src/server/faq/faq.similar.ts';
import { assignQuestion, type FaqDeps } from '../../src/server/faq/faq.usecases.ts';
import { loadLabelledSet, pairwise } from '../../src/server/faq/similarity.eval.ts';
import { startJobs, type Jobs } from '../../src/server/jobs/jobs.ts';
import { createQuestion } from '../../src/server/questions/questions.usecases.ts';
import { ensureQuestionsIndex, questionsIndexUid, searchQuestionIds } from '../../src/server/search/questions.index.ts';
import { createSearchService, type SearchService } from '../../src/server/search/search.client.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { newId } from '../../src/server/shared/ids.ts';
import { createTestDatabase, testIndexPrefix, type TestDatabase } from '../helpers/db.ts';
import { silentLog } from '../helpers/runtime.ts';

const root = path.resolve(import.meta.dirname, '../..');
const clock = createFixedClock('2026-11-25T02:00:00Z');
const DAY = 86_400_000;
let t: TestDatabase;
let jobs: Jobs;
let search: SearchService;
let engine: FaqEngine;
let deps: FaqDeps;
let seq = 0;

/** A stored question as asking leaves it (the asking path itself is tested in questions.test.ts). */
async function stored({ title, body = '', email = 'a@example.cn', status = 'new', daysAgo = 0 }: { title: string; body?: string; email?: string; status?: QuestionStatus; daysAgo?: number }) {
  const id = newId();
  const at = new Date(clock.now().getTime() - daysAgo * DAY);
  seq += 1;
  await t.database.db.insert(questions).values({
    id, number: `FAQ-${String(seq).padStart(5, '0')}`, kind: 'consult', title, body, status, channel: 'web',
    contactName: email.split('@')[0]!, contactEmail: email, trackingToken: `tok-${id}`, createdAt: at, updatedAt: at,
    firstRepliedAt: status === 'answered' ? at : null,
  });
  return id;
}

async function clusterOf(id: string) {
  const [m] = await t.database.db.select().from(faqClusterMembers).where(eq(faqClusterMembers.questionId, id));
  return m?.clusterId;
}

/** Rows of a raw query: postgres.js gives an array, PGlite `{ rows }`. */
const rowsOf = <T,>(r: unknown): T[] => (Array.isArray(r) ? r : (r as { rows: T[] }).rows);

const clusters = () => listClusters({ db: t.database.db, settings: defaultFaqSettings, lexicon: engine.lexicon, now: clock.now() });

beforeAll(async () => {
  t = await createTestDatabase();
  jobs = await startJobs({ database: t.database, log: silentLog });
  search = createSearchService({ url: inject('meiliUrl'), apiKey: inject('meiliKey'), kind: 'external', indexPrefix: testIndexPrefix() });
  const source = await loadLexicon(path.join(root, 'content'));
  engine = createFaqEngine(source);
  await ensureQuestionsIndex(search, { synonyms: source.synonyms, dictionary: source.terms });
  deps = { db: t.database.db, search, engine, settings: defaultFaqSettings, clock, log: silentLog, waitForIndex: true };
});

afterAll(async () => {
  await search?.client?.deleteIndex(questionsIndexUid(search.indexPrefix)).catch(() => {});
  await search?.stop();
  await jobs?.stop();
  await t?.drop();
});

describe('clustering as questions arrive', () => {
  it('enqueues the clustering job in the asking transaction', async () => {
    const questionDeps = { db: t.database.db, clock, jobs, mailFrom: 'Dayi <dayi@example.cn>', baseUrl: 'https://help.example.gov.cn', timeZone: 'Asia/Shanghai', askRateLimit: 0, askAnonymous: true, dutyFallbackEmail: null };
    const { question } = await createQuestion({ ...questionDeps, input: { kind: 'consult', title: '导出的Excel打开是乱码', body: '导出数据用excel打开中文全是乱码，怎么办？', email: 'x@example.cn' }, asker: { kind: 'anonymous' }, channel: 'web', clientIp: null });
    const rows = rowsOf<{ id: string }>(await t.database.db.execute(sql`select data->>'id' as id from pgboss.job where name = 'faq.assign'`));
    expect(rows.map((r) => r.id)).toContain(question.id);
    const placed = await assignQuestion(deps, question.id);
    expect(placed?.matchedQuestionId).toBeNull();
    // Idempotent: the job retried leaves it where it is.
    expect(await assignQuestion(deps, question.id)).toEqual(placed);
    expect(await searchQuestionIds(search, { query: '乱码', limit: 5 })).toContain(question.id);
  });

  it('clusters the first dev sample of the labelled set through the search index at precision ≥ 0.9 and recall ≥ 0.8', async () => {
    const items = loadLabelledSet(path.join(root, 'tests/fixtures/faq-questions.yml')).filter((q) => q.split === 'dev' && q.sample === 1);
    const ids = new Map<string, string>();
    for (const q of items) ids.set(q.id, await stored({ title: q.title, body: q.body }));
    for (const q of items) await assignQuestion(deps, ids.get(q.id)!);
    const predicted = new Map<string, string>();
    for (const q of items) predicted.set(q.id, (await clusterOf(ids.get(q.id)!))!);
    const scores = pairwise(items, predicted);
    expect(scores.precision).toBeGreaterThanOrEqual(0.9);
    expect(scores.recall).toBeGreaterThanOrEqual(0.8);
    // Reviewers see why: the matched question, the score and the shared terms.
    const [m] = await t.database.db.select().from(faqClusterMembers).where(eq(faqClusterMembers.questionId, ids.get('e7781#3')!));
    expect(m?.score).toBeGreaterThanOrEqual(defaultFaqSettings.faqMatchThreshold);
    expect(m?.shared?.[0]?.term).toBe('E7781');
  }, 180_000);
});

describe('the candidate rule', () => {
  it('needs three questions within 90 days from two askers, one of them answered', async () => {
    const a = await stored({ title: '前置机连接数据库报 ORA-01017', email: 'one@example.cn', daysAgo: 100 });
    const b = await stored({ title: '前置机报错ORA-01017 用户名密码无效', email: 'one@example.cn', daysAgo: 5 });
    const c = await stored({ title: '交换程序启动失败，日志里是ORA-01017', email: 'one@example.cn', daysAgo: 4 });
    for (const id of [a, b, c]) await assignQuestion(deps, id);
    const find = async () => (await clusters()).find((x) => x.questionIds.includes(a));
    expect(await find()).toMatchObject({ size: 3, askers: 1, candidate: false });
    const d = await stored({ title: 'ORA-01017 logon denied 怎么解决', email: 'two@example.cn', daysAgo: 1 });
    await assignQuestion(deps, d);
    // Three recent questions from two askers, but none answered yet.
    expect(await find()).toMatchObject({ size: 4, askers: 2, candidate: false });
    await t.database.db.update(questions).set({ status: 'answered', firstRepliedAt: clock.now() }).where(eq(questions.id, c));
    const cluster = await find();
    expect(cluster).toMatchObject({ size: 4, askers: 2, candidate: true });
    expect(cluster?.title).toMatch(/ORA-01017/);
  });
});

describe("reviewers' decisions", () => {
  it('survive a full recluster: a split question stays out, merged clusters stay one, a rejected cluster stays rejected', async () => {
    const x1 = await stored({ title: '信用修复怎么申请' });
    const x2 = await stored({ title: '请问信用修复在哪里提交申请', email: 'b@example.cn' });
    const x3 = await stored({ title: '行政处罚信息如何申请信用修复', email: 'c@example.cn' });
    const y1 = await stored({ title: '培训课件在哪里下载' });
    const y2 = await stored({ title: '哪里可以下载培训用的PPT和课件' });
    const z1 = await stored({ title: '结业考核没通过可以补考吗' });
    const z2 = await stored({ title: '结业考核没通过，补考什么时候安排' });
    for (const id of [x1, x2, x3, y1, y2, z1, z2]) await assignQuestion(deps, id);
    expect(await clusterOf(x3)).toBe(await clusterOf(x1));
    expect(await clusterOf(y2)).toBe(await clusterOf(y1));
    expect(await clusterOf(z2)).toBe(await clusterOf(z1));

    const split = await splitQuestion({ db: t.database.db, clock, actorId: null }, { questionId: x3 });
    await mergeClusters({ db: t.database.db, clock, actorId: null }, { keepId: (await clusterOf(x1))!, mergeId: (await clusterOf(y1))! });
    const zCluster = (await clusterOf(z1))!;
    await rejectCluster({ db: t.database.db, clock, actorId: null }, { clusterId: zCluster });
    const before = { x1: await clusterOf(x1), x3: await clusterOf(x3), y2: await clusterOf(y2), z2: await clusterOf(z2) };
    expect(before.x3).toBe(split.clusterId);
    expect(before.y2).toBe(before.x1);

    const result = await reclusterAll({ db: t.database.db, clock, lexicon: engine.lexicon, settings: defaultFaqSettings });
    expect(result.pinned).toBeGreaterThanOrEqual(7);
    expect({ x1: await clusterOf(x1), x3: await clusterOf(x3), y2: await clusterOf(y2), z2: await clusterOf(z2) }).toEqual(before);
    const [z] = await t.database.db.select().from(faqClusters).where(eq(faqClusters.id, zCluster));
    expect(z).toMatchObject({ status: 'rejected', rejectedSize: 2 });
    // The rejected cluster stays quiet until it grows by three more.
    const list = await clusters();
    expect(list.find((c) => c.id === zCluster)?.candidate).toBe(false);
  });

  it('a recluster rebuilds the others from scratch, every question in exactly one cluster', async () => {
    await reclusterAll({ db: t.database.db, clock, lexicon: engine.lexicon, settings: defaultFaqSettings });
    const [counts] = rowsOf<{ q: number; m: number }>(
      await t.database.db.execute(sql`select (select count(*) from questions)::int as q, (select count(distinct question_id) from faq_cluster_members)::int as m`),
    );
    expect(counts!.q).toBeGreaterThan(70);
    expect(counts!.m).toBe(counts!.q);
  });
});

describe('the desk\'s similar questions', () => {
  async function reply(questionId: string, body: string, rating?: number) {
    const id = newId();
    await t.database.db.insert(questionEvents).values({ id, questionId, kind: 'replied', body, createdAt: clock.now() });
    if (rating) {
      await t.database.db.insert(questionRatings).values({ id: newId(), questionId, replyEventId: id, overall: rating, attitude: rating, business: rating, technical: rating, reasons: [], createdAt: clock.now(), updatedAt: clock.now() });
    }
  }

  it('shows earlier answered questions with their best-rated answer, the score and the shared terms', async () => {
    const answered = await stored({ title: '账号被锁定了怎么解锁', status: 'answered', daysAgo: 2 });
    await reply(answered, '请等待 30 分钟后自动解锁。', 3);
    await reply(answered, '请联系单位管理员在“用户管理”中点击**解锁**。', 5);
    const open = await stored({ title: '账号被锁定，登录不了', daysAgo: 3 });
    const later = await stored({ title: '账号被锁定了，急' });
    for (const id of [answered, open, later]) await assignQuestion(deps, id);
    const [q] = await t.database.db.select().from(questions).where(eq(questions.id, later));
    const similar = await similarAnswered(deps, { question: q! });
    expect(similar.map((s) => s.id)).toEqual([answered]);
    expect(similar[0]).toMatchObject({ answer: '请联系单位管理员在“用户管理”中点击**解锁**。', rating: 5 });
    expect(similar[0]!.score).toBeGreaterThan(0.3);
    expect(similar[0]!.shared.map((s) => s.term)).toContain('锁定');
  });
});

describe('npm run faq:clusters -- --json', () => {
  const run = promisify(execFile);
  it.runIf(Boolean(t?.url ?? process.env.DATABASE_URL))('prints every cluster of two or more with its ids, size, askers, candidacy and title', async () => {
    const { stdout } = await run(path.join(root, 'node_modules/.bin/node'), [path.join(root, 'scripts/faq-clusters.ts'), '--json'], {
      env: { ...process.env, DATABASE_URL: t.url, NODE_ENV: 'test', LOG_LEVEL: 'silent', CONTENT_DIR: path.join(root, 'content') },
    });
    const printed = JSON.parse(stdout) as Record<string, unknown>[];
    expect(printed.length).toBe((await clusters()).length);
    for (const c of printed) {
      expect(Object.keys(c).sort()).toEqual(['askers', 'candidate', 'id', 'questionIds', 'size', 'title']);
      expect(c.size).toBe((c.questionIds as string[]).length);
      expect(c.size as number).toBeGreaterThanOrEqual(2);
    }
    expect(printed.some((c) => c.candidate === true)).toBe(true);
  });

  it('runs on embedded data with the server stopped', async () => {
    const { mkdtempSync } = await import('node:fs');
    const dataDir = mkdtempSync(path.join((await import('node:os')).tmpdir(), 'faq-cli-'));
    const env = { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, NODE_ENV: 'test', LOG_LEVEL: 'silent' };
    const { stdout } = await run(path.join(root, 'node_modules/.bin/node'), [path.join(root, 'scripts/faq-clusters.ts'), '--json'], { env });
    expect(JSON.parse(stdout)).toEqual([]);
  }, 60_000);
});
