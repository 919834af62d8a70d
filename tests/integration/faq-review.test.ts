import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  auditEvents,
  faqClusterMembers,
  faqClusters,
  mailOutbox,
  questionDeflections,
  questionEvents,
  questionRatings,
  questions,
  searchLog,
  units,
  users,
  type QuestionStatus,
} from '../../db/schema/index.ts';
import { visibleAccess } from '../../src/server/content/content.access.ts';
import { parseFrontmatter } from '../../src/server/content/content.frontmatter.ts';
import { loadContent } from '../../src/server/content/content.loader.ts';
import { startContent, type ContentService } from '../../src/server/content/content.service.ts';
import { markdownFile } from '../../src/server/content/content.write.ts';
import { defaultFaqSettings } from '../../src/server/faq/faq.config.ts';
import { createFaqEngine, type FaqEngine } from '../../src/server/faq/faq.engine.ts';
import { deflectionsByPage, searchesThenAsked, searchesWithoutResult } from '../../src/server/faq/faq.gaps.ts';
import { loadLexicon } from '../../src/server/faq/faq.lexicon.ts';
import { faqBody, publishFaq, updateFaq, type FaqPublishDeps } from '../../src/server/faq/faq.publish.ts';
import { clusterReview, publishedFaqOf } from '../../src/server/faq/faq.review.ts';
import { assignQuestion, type FaqDeps } from '../../src/server/faq/faq.usecases.ts';
import { ensureQuestionsIndex, questionsIndexUid } from '../../src/server/search/questions.index.ts';
import { createSearchService, type SearchService } from '../../src/server/search/search.client.ts';
import { buildDocuments } from '../../src/server/search/search.documents.ts';
import { contentIndexUid, syncIndex } from '../../src/server/search/search.index.ts';
import { normalizeQuery, searchContent } from '../../src/server/search/search.query.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { newId } from '../../src/server/shared/ids.ts';
import { createTestDatabase, testIndexPrefix } from '../helpers/db.ts';
import { startDeliveringOutbox } from '../helpers/outbox.ts';
import { silentLog } from '../helpers/runtime.ts';
import { tempDir } from '../helpers/tmp.ts';
import { waitFor } from '../helpers/wait.ts';

const root = path.resolve(import.meta.dirname, '../..');
const from = 'Dayi <dayi@example.cn>';
const baseUrl = 'https://help.example.gov.cn';
const clock = createFixedClock('2026-11-25T02:00:00Z');
const meta = { actor: null, ip: null, requestId: null };
const MINUTE = 60_000;
const DAY = 86_400_000;
const ago = (ms: number) => new Date(clock.now().getTime() - ms);

let world: Awaited<ReturnType<typeof startDeliveringOutbox>>;
let search: SearchService;
let engine: FaqEngine;
let faqDeps: FaqDeps;
let deps: FaqPublishDeps;
let contentDir: string;
let content: ContentService | undefined;
let seq = 0;

const unitA = { id: newId(), name: '甲市发展改革委', code: 'UNIT-A' };
const unitB = { id: newId(), name: '乙市市场监管局', code: 'UNIT-B' };

/** The best-rated public reply in the credit-repair cluster: what the FAQ's answer is drafted from. */
const BEST =
  '请登录平台进入“信用修复”栏目在线提交申请，上传信用修复申请书、信用承诺书和已履行处罚决定的证明材料；材料齐全的，一般在 5 个工作日内办结，结果以短信通知。';

const db = () => world.t.database.db;

/** A stored question as asking leaves it (the asking path itself is tested in questions.test.ts). */
async function stored({
  title,
  email,
  status = 'new',
  at,
  unitId = null,
  askerId = null,
}: {
  title: string;
  email: string;
  status?: QuestionStatus;
  at: Date;
  unitId?: string | null;
  askerId?: string | null;
}) {
  const id = newId();
  seq += 1;
  const number = `20261125-${String(seq).padStart(4, '0')}`;
  await db().insert(questions).values({
    id, number, kind: 'consult', title, body: '', status, channel: 'web', unitId, askerId,
    contactName: email.split('@')[0]!, contactEmail: email, trackingToken: `tok-${id}`, createdAt: at, updatedAt: at,
    firstRepliedAt: status === 'answered' ? at : null,
  });
  return { id, number, title };
}

/** A public reply (optionally rated by the asker) or an internal note on the timeline. */
async function event(questionId: string, { body, at, rating, note = false }: { body: string; at: Date; rating?: number; note?: boolean }) {
  const id = newId();
  await db().insert(questionEvents).values({ id, questionId, kind: note ? 'note' : 'replied', internal: note, body, createdAt: at });
  if (rating) {
    await db().insert(questionRatings).values({ id: newId(), questionId, replyEventId: id, overall: rating, attitude: rating, business: rating, technical: rating, reasons: [], createdAt: at, updatedAt: at });
  }
  return id;
}

async function clusterOf(questionId: string) {
  const [m] = await db().select().from(faqClusterMembers).where(eq(faqClusterMembers.questionId, questionId));
  return m!.clusterId;
}
const clusterRow = async (id: string) => (await db().select().from(faqClusters).where(eq(faqClusters.id, id)))[0]!;
const faqFiles = () => readdirSync(path.join(contentDir, 'faq')).sort();
const faqFile = (slug: string) => path.join(contentDir, 'faq', `${slug}.md`);
const frontmatterOf = (slug: string) => {
  const fm = parseFrontmatter(readFileSync(faqFile(slug), 'utf8'));
  if (!fm.ok) throw new Error(fm.message);
  return fm.value.data as Record<string, unknown>;
};
const mailsOfKind = (kind: string) => db().select().from(mailOutbox).where(eq(mailOutbox.kind, kind));

/** The entry as the review form sends it. */
const entry = (over: Record<string, string> = {}) => ({
  slug: 'repair-apply-online',
  title: '信用修复怎么申请？',
  category: '信用修复',
  tags: '信用修复，申请材料、 在线申请',
  access: 'public',
  body: BEST,
  ...over,
});

// The credit-repair cluster: three paraphrases from three units, then the first asker again.
let x1: Awaited<ReturnType<typeof stored>>;
let x2: typeof x1;
let x3: typeof x1;
let x4: typeof x1;
let repairCluster: string;
// The courseware cluster: answered once, with an internal note after.
let y1: typeof x1;
let y2: typeof x1;
let coursewareCluster: string;
// The exam cluster: a third one, for two reviewers publishing at once.
let z1: typeof x1;
let z2: typeof x1;
let examCluster: string;
// The account cluster: published while reloading the content fails.
let w1: typeof x1;
let w2: typeof x1;
let accountCluster: string;

beforeAll(async () => {
  world = await startDeliveringOutbox({ from, clock });
  search = createSearchService({ url: inject('meiliUrl'), apiKey: inject('meiliKey'), kind: 'external', indexPrefix: testIndexPrefix() });
  const source = await loadLexicon(path.join(root, 'content'));
  engine = createFaqEngine(source);
  await ensureQuestionsIndex(search, { synonyms: source.synonyms, dictionary: source.terms });
  faqDeps = { db: db(), search, engine, settings: defaultFaqSettings, clock, log: silentLog, waitForIndex: true };

  // A content directory with the shipped search sidecars and one shipped FAQ (whose slug is taken).
  contentDir = tempDir('dayi-faq-content');
  mkdirSync(path.join(contentDir, 'faq'), { recursive: true });
  mkdirSync(path.join(contentDir, 'search'), { recursive: true });
  for (const f of ['search/dictionary.txt', 'search/synonyms.yml', 'faq/repair-how-to-apply.md']) copyFileSync(path.join(root, 'content', f), path.join(contentDir, f));
  deps = { db: db(), clock, jobs: world.jobs, mailFrom: from, baseUrl, contentDir };

  await db().insert(units).values([unitA, unitB].map((u) => ({ ...u, createdAt: clock.now() })));

  x1 = await stored({ title: '信用修复怎么申请', email: 'zhang@unit-a.example.cn', unitId: unitA.id, status: 'answered', at: ago(4 * DAY) });
  x2 = await stored({ title: '请问信用修复在哪里提交申请', email: 'li@unit-b.example.cn', unitId: unitB.id, status: 'answered', at: ago(3 * DAY) });
  x3 = await stored({ title: '行政处罚信息如何申请信用修复', email: 'wang@example.cn', status: 'answered', at: ago(2 * DAY) });
  x4 = await stored({ title: '信用修复申请在哪里提交', email: 'Zhang@Unit-A.example.cn', unitId: unitA.id, at: ago(1 * DAY) });
  await event(x1.id, { body: '在平台“信用修复”栏目提交即可。', at: ago(4 * DAY - 60 * MINUTE), rating: 3 });
  await event(x2.id, { body: BEST, at: ago(3 * DAY - 60 * MINUTE), rating: 5 });
  // Newer, but an engineer's note to colleagues is never an answer.
  await event(x2.id, { body: '内部备注：该单位上次的材料缺少承诺书，请重点核对。', at: ago(3 * DAY - 90 * MINUTE), note: true });
  // Newer and public, but not rated: the rated one wins.
  await event(x3.id, { body: '请参考平台上的信用修复操作教程提交申请。', at: ago(2 * DAY - 60 * MINUTE) });

  y1 = await stored({ title: '培训课件在哪里下载', email: 'zhao@unit-a.example.cn', status: 'answered', at: ago(3 * DAY) });
  y2 = await stored({ title: '哪里可以下载培训用的PPT和课件', email: 'qian@unit-b.example.cn', at: ago(2 * DAY) });
  await event(y1.id, { body: '课件在“培训”栏目下载。', at: ago(3 * DAY - 30 * MINUTE) });
  await event(y1.id, { body: '课件在“课件下载”页面，登录后按课程下载最新版本。', at: ago(3 * DAY - 60 * MINUTE) });
  await event(y2.id, { body: '内部备注：这位联系人已经问过两次，考虑给该单位单独培训。', at: ago(1 * DAY), note: true });

  z1 = await stored({ title: '结业考核没通过可以补考吗', email: 'sun@unit-a.example.cn', status: 'answered', at: ago(2 * DAY) });
  z2 = await stored({ title: '结业考核没通过，补考什么时候安排', email: 'zhou@unit-b.example.cn', at: ago(1 * DAY) });
  await event(z1.id, { body: '可以补考，补考安排在下一期培训结束后的一周内。', at: ago(2 * DAY - 60 * MINUTE), rating: 4 });

  w1 = await stored({ title: '账号被锁定了怎么解锁', email: 'wu@unit-a.example.cn', status: 'answered', at: ago(2 * DAY) });
  w2 = await stored({ title: '账号被锁定，登录不了', email: 'zheng@unit-b.example.cn', at: ago(1 * DAY) });

  for (const q of [x1, x2, x3, x4, y1, y2, z1, z2, w1, w2]) await assignQuestion(faqDeps, q.id);
  repairCluster = await clusterOf(x1.id);
  coursewareCluster = await clusterOf(y1.id);
  examCluster = await clusterOf(z1.id);
  accountCluster = await clusterOf(w1.id);
});

afterAll(async () => {
  content?.stop();
  if (search) {
    await search.client?.deleteIndex(questionsIndexUid(search.indexPrefix)).catch(() => {});
    await search.client?.deleteIndex(contentIndexUid(search.indexPrefix)).catch(() => {});
    await search.stop();
  }
  await world?.stop();
});

describe('reviewing a cluster', () => {
  it('groups the paraphrases of one question into one cluster', async () => {
    for (const q of [x2, x3, x4]) expect(await clusterOf(q.id)).toBe(repairCluster);
    expect(await clusterOf(y2.id)).toBe(coursewareCluster);
    expect(await clusterOf(z2.id)).toBe(examCluster);
    expect(await clusterOf(w2.id)).toBe(accountCluster);
    expect(new Set([repairCluster, coursewareCluster, examCluster, accountCluster]).size).toBe(4);
  });

  it("lists the cluster's questions oldest first, each later one with the question it matched, its score and the shared terms", async () => {
    const review = await clusterReview({ db: db(), lexicon: engine.lexicon, clusterId: repairCluster });
    expect(review).toMatchObject({ id: repairCluster, status: 'open', faqSlug: null });
    expect(review.questions.map((q) => q.id)).toEqual([x1.id, x2.id, x3.id, x4.id]);
    expect(review.questions.map((q) => q.unit)).toEqual([unitA.name, unitB.name, null, unitA.name]);
    expect(review.questions[0]).toMatchObject({ number: x1.number, title: x1.title, status: 'answered', matchedNumber: null, score: null, shared: [] });
    const members = await db().select().from(faqClusterMembers).where(eq(faqClusterMembers.clusterId, repairCluster));
    const numberOf = new Map([x1, x2, x3, x4].map((q) => [q.id, q.number]));
    for (const [i, q] of review.questions.entries()) {
      if (i === 0) continue;
      const member = members.find((m) => m.questionId === q.id)!;
      // The number shown is that of the question it matched, which was asked before it.
      expect(q.matchedNumber).toBe(numberOf.get(member.matchedQuestionId!));
      expect(review.questions.slice(0, i).map((e) => e.number)).toContain(q.matchedNumber);
      expect(q.score).toBe(member.score);
      expect(q.score).toBeGreaterThanOrEqual(defaultFaqSettings.faqMatchThreshold);
      expect(q.shared.length).toBeGreaterThan(0);
      expect(q.shared.map((s) => s.term).join(' ')).toMatch(/信用|修复/);
    }
  });

  it('takes the best-rated public reply as the answer and drafts the entry from the clearest title, that answer and the most shared terms', async () => {
    const review = await clusterReview({ db: db(), lexicon: engine.lexicon, clusterId: repairCluster });
    expect(review.best).toEqual({ body: BEST, questionNumber: x2.number, rating: 5 });
    expect([x1.title, x2.title, x3.title, x4.title]).toContain(review.draft.title);
    expect(review.draft.body).toBe(BEST);
    expect(review.draft.tags.length).toBeGreaterThan(0);
    expect(review.draft.tags.length).toBeLessThanOrEqual(3);
    const shared = new Set(review.questions.flatMap((q) => q.shared.map((s) => s.term)));
    for (const tag of review.draft.tags) expect(shared).toContain(tag);
  });

  it('never offers an internal note as the answer: with no rating, the newest public reply is taken', async () => {
    const review = await clusterReview({ db: db(), lexicon: engine.lexicon, clusterId: coursewareCluster });
    expect(review.questions.map((q) => q.id)).toEqual([y1.id, y2.id]);
    expect(review.best).toEqual({ body: '课件在“课件下载”页面，登录后按课程下载最新版本。', questionNumber: y1.number, rating: null });
    expect(review.draft.body).toBe(review.best!.body);
  });

  it('refuses a cluster that does not exist', async () => {
    await expect(clusterReview({ db: db(), lexicon: engine.lexicon, clusterId: newId() })).rejects.toMatchObject({ code: 'faq.cluster_not_found', status: 404 });
  });
});

describe('publishing a cluster as an FAQ entry', () => {
  const slug = 'repair-apply-online';
  let result: { slug: string; mailed: number };

  beforeAll(async () => {
    // The running content service (no watcher or rescan within the test): publishing reloads it itself.
    content = await startContent({ contentDir, db: db(), clock, log: silentLog, debounceMs: 600_000, rescanMs: 600_000 });
    expect(content.store().pages.has(`/faq/${slug}`)).toBe(false);
    result = await publishFaq({ deps: { ...deps, content }, clusterId: repairCluster, form: entry({ notify: 'on' }), actor: { id: newId(), name: '李工' }, meta });
  });

  it('shows the entry at once: the content is reloaded before publishing returns', () => {
    expect(content!.store().faqs.find((f) => f.slug === slug)?.title).toBe('信用修复怎么申请？');
  });

  it('writes content/faq/<slug>.md that the content check accepts, recording the source questions oldest first and who promoted them', async () => {
    expect(result).toEqual({ slug, mailed: 3 });
    const store = await loadContent(contentDir);
    expect(store.issues).toEqual([]);
    const faq = store.faqs.find((f) => f.slug === slug);
    expect(faq).toMatchObject({ url: `/faq/${slug}`, title: '信用修复怎么申请？', category: '信用修复', access: 'public', tags: ['信用修复', '申请材料', '在线申请'] });
    expect(faq!.html).toContain('5 个工作日内办结');
    expect(frontmatterOf(slug)).toMatchObject({
      updated: '2026-11-25',
      promoted: { questions: [x1.id, x2.id, x3.id, x4.id], at: clock.now().toISOString(), by: '李工' },
    });
    expect(await faqBody(contentDir, slug)).toBe(BEST);
  });

  it("marks the cluster published, so each source question's page links to the entry", async () => {
    expect(await clusterRow(repairCluster)).toMatchObject({ status: 'published', faqSlug: slug });
    expect(await clusterReview({ db: db(), lexicon: engine.lexicon, clusterId: repairCluster })).toMatchObject({ status: 'published', faqSlug: slug });
    for (const q of [x1, x2, x3, x4]) expect(await publishedFaqOf({ db: db(), questionId: q.id })).toBe(slug);
    expect(await publishedFaqOf({ db: db(), questionId: y1.id })).toBeNull();
  });

  it('mails each distinct asker once, with the link to the entry, and records the publication in the audit log', async () => {
    const mails = await mailsOfKind('faq.published');
    const addresses = ['li@unit-b.example.cn', 'wang@example.cn', 'zhang@unit-a.example.cn'];
    expect(mails.map((m) => m.to.map((a) => a.toLowerCase())).sort()).toEqual(addresses.map((a) => [a]));
    for (const m of mails) {
      expect(m.subject).toBe('【答疑】您的问题已整理为常见问题：信用修复怎么申请？');
      expect(m.text).toContain(`${baseUrl}/faq/${slug}`);
    }
    for (const a of addresses) await waitFor(() => world.smtp.received.find((r) => r.to.some((t) => t.toLowerCase() === a)));
    const delivered = world.smtp.received.filter((r) => r.to.some((t) => addresses.includes(t.toLowerCase())));
    expect(delivered).toHaveLength(3);

    const audit = await db().select().from(auditEvents).where(eq(auditEvents.action, 'faq.publish'));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ targetType: 'faq', targetId: slug, after: { clusterId: repairCluster, questions: 4, mailed: 3 } });
  });

  it('puts the entry in search: a phrase of its answer finds /faq/<slug>', async () => {
    const store = await loadContent(contentDir);
    await syncIndex({ search, docs: buildDocuments(store, () => clock.now()), synonyms: store.synonyms });
    const res = await searchContent({ search, q: '工作日内办结 短信通知', access: visibleAccess(null) });
    expect(res.hits[0]?.url).toBe(`/faq/${slug}`);
    expect(res.hits[0]?.type).toBe('faq');
  });
});

describe('what publishing refuses', () => {
  it('refuses to publish the same cluster twice, and writes no second file', async () => {
    const files = faqFiles();
    const before = readFileSync(faqFile('repair-apply-online'), 'utf8');
    const mails = (await mailsOfKind('faq.published')).length;
    await expect(
      publishFaq({ deps, clusterId: repairCluster, form: entry({ slug: 'repair-apply-again', notify: 'on' }), actor: { id: newId(), name: '王工' }, meta }),
    ).rejects.toMatchObject({ code: 'faq.already_published', status: 409 });
    expect(faqFiles()).toEqual(files);
    expect(existsSync(faqFile('repair-apply-again'))).toBe(false);
    expect(readFileSync(faqFile('repair-apply-online'), 'utf8')).toBe(before);
    expect(await mailsOfKind('faq.published')).toHaveLength(mails);
    expect(await clusterRow(repairCluster)).toMatchObject({ status: 'published', faqSlug: 'repair-apply-online' });
  });

  it('refuses a slug an existing entry already uses, and the cluster stays open', async () => {
    const before = readFileSync(faqFile('repair-how-to-apply'), 'utf8');
    const mails = (await mailsOfKind('faq.published')).length;
    const form = entry({ slug: 'repair-how-to-apply', title: '培训课件在哪里下载？', body: '课件在“课件下载”页面，登录后按课程下载最新版本。', notify: 'on' });
    await expect(publishFaq({ deps, clusterId: coursewareCluster, form, actor: { id: newId(), name: '李工' }, meta })).rejects.toMatchObject({
      code: 'faq.exists',
      status: 409,
      fields: { slug: expect.any(String) },
    });
    expect(readFileSync(faqFile('repair-how-to-apply'), 'utf8')).toBe(before);
    expect(await clusterRow(coursewareCluster)).toMatchObject({ status: 'open', faqSlug: null });
    expect(await publishedFaqOf({ db: db(), questionId: y2.id })).toBeNull();
    expect(await mailsOfKind('faq.published')).toHaveLength(mails);
    expect(await db().select().from(auditEvents).where(and(eq(auditEvents.action, 'faq.publish'), eq(auditEvents.targetId, 'repair-how-to-apply')))).toEqual([]);
  });

  it('refuses an empty question, a malformed slug and a too-short answer, naming each field, and writes nothing', async () => {
    const files = faqFiles();
    const error = await publishFaq({ deps, clusterId: coursewareCluster, form: entry({ slug: 'Bad Slug', title: '', body: '见课件', notify: 'on' }), actor: { id: newId(), name: '李工' }, meta }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'validation.failed', status: 400 });
    expect(Object.keys((error as { fields: Record<string, string> }).fields).sort()).toEqual(['body', 'slug', 'title']);
    expect(faqFiles()).toEqual(files);
    expect(await clusterRow(coursewareCluster)).toMatchObject({ status: 'open', faqSlug: null });
  });

  it('refuses a cluster that does not exist', async () => {
    const files = faqFiles();
    await expect(publishFaq({ deps, clusterId: newId(), form: entry({ slug: 'no-such-cluster' }), actor: { id: newId(), name: '李工' }, meta })).rejects.toMatchObject({
      code: 'faq.cluster_not_found',
      status: 404,
    });
    expect(faqFiles()).toEqual(files);
  });
});

describe('two reviewers publishing at once', () => {
  it('gives one address to one entry: the other cluster is refused and stays open', async () => {
    const slug = 'training-questions';
    const forms = [
      { clusterId: coursewareCluster, form: entry({ slug, title: '培训课件在哪里下载？', body: '课件在“课件下载”页面，登录后按课程下载最新版本。' }) },
      { clusterId: examCluster, form: entry({ slug, title: '结业考核没通过可以补考吗？', body: '可以补考，补考安排在下一期培训结束后的一周内。' }) },
    ];
    const results = await Promise.allSettled(forms.map(({ clusterId, form }) => publishFaq({ deps, clusterId, form, actor: { id: newId(), name: '李工' }, meta })));
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = results.findIndex((r) => r.status === 'rejected');
    expect((results[lost] as PromiseRejectedResult).reason).toMatchObject({ code: 'faq.exists' });
    const won = forms[1 - lost]!;
    const members = won.clusterId === coursewareCluster ? [y1.id, y2.id] : [z1.id, z2.id];
    expect(frontmatterOf(slug)).toMatchObject({ title: won.form.title, promoted: { questions: members } });
    expect(await faqBody(contentDir, slug)).toBe(won.form.body);
    expect(await clusterRow(won.clusterId)).toMatchObject({ status: 'published', faqSlug: slug });
    expect(await clusterRow(forms[lost]!.clusterId)).toMatchObject({ status: 'open', faqSlug: null });
  });
});

describe('reloading the content after publishing', () => {
  it('keeps the published entry when the reload fails after the commit', async () => {
    // A content service whose own database went away: its next reload fails.
    const gone = await createTestDatabase();
    const broken = await startContent({ contentDir, db: gone.database.db, clock, log: silentLog, debounceMs: 600_000, rescanMs: 600_000 });
    await gone.drop();
    try {
      const slug = 'account-locked-unlock';
      const form = entry({ slug, title: '账号被锁定了怎么解锁？', body: '请联系单位管理员在“用户管理”中点击解锁，或等待 30 分钟后自动解锁。' });
      await publishFaq({ deps: { ...deps, content: broken }, clusterId: accountCluster, form, actor: { id: newId(), name: '李工' }, meta }).catch(() => {});
      // Committed: the cluster says published, so the file must be there (the watcher shows it later).
      expect(await clusterRow(accountCluster)).toMatchObject({ status: 'published', faqSlug: slug });
      expect(existsSync(faqFile(slug))).toBe(true);
      const store = await loadContent(contentDir);
      expect(store.issues).toEqual([]);
      expect(store.faqs.map((f) => f.slug)).toContain(slug);
    } finally {
      broken.stop();
    }
  });
});

describe('editing a published entry', () => {
  const slug = 'repair-apply-online';
  const NEW = '登录平台，在“信用修复”栏目点击“我要申请”，按提示上传申请书、承诺书和证明材料；审核结果会短信通知，也可在“我的申请”中查看进度。';

  it('changes its question, tags, access and answer, and keeps its order and promotion record', async () => {
    // An administrator placed it by hand meanwhile.
    const before = frontmatterOf(slug);
    writeFileSync(faqFile(slug), markdownFile({ ...before, order: 3 }, `${BEST}\n`));
    const promoted = before.promoted;
    expect(promoted).toMatchObject({ by: '李工' });
    await updateFaq({ deps, slug, form: entry({ title: '如何在线申请信用修复？', tags: '信用修复, 进度查询', access: 'member', body: NEW }), meta });
    const after = frontmatterOf(slug);
    expect(after).toMatchObject({ title: '如何在线申请信用修复？', tags: ['信用修复', '进度查询'], access: 'member', order: 3 });
    expect(after.promoted).toEqual(promoted);
    expect(await faqBody(contentDir, slug)).toBe(NEW);
    const store = await loadContent(contentDir);
    expect(store.issues).toEqual([]);
    expect(store.faqs.find((f) => f.slug === slug)).toMatchObject({ title: '如何在线申请信用修复？', access: 'member', order: 3 });
    const audit = await db().select().from(auditEvents).where(eq(auditEvents.action, 'faq.update'));
    expect(audit).toMatchObject([{ targetType: 'faq', targetId: slug }]);
  });

  it('refuses an entry that does not exist, and an answer too short', async () => {
    await expect(updateFaq({ deps, slug: 'no-such-entry', form: entry(), meta })).rejects.toMatchObject({ code: 'faq.not_found', status: 404 });
    expect(existsSync(faqFile('no-such-entry'))).toBe(false);
    const before = readFileSync(faqFile(slug), 'utf8');
    await expect(updateFaq({ deps, slug, form: entry({ body: '太短' }), meta })).rejects.toMatchObject({ code: 'validation.failed', fields: { body: expect.any(String) } });
    expect(readFileSync(faqFile(slug), 'utf8')).toBe(before);
  });
});

describe('content gaps', () => {
  const since = ago(30 * DAY);
  const log = (row: { query: string; hits: number; at: Date; unitId?: string | null; userId?: string | null }) =>
    db().insert(searchLog).values({ id: newId(), kind: 'submitted', unitId: null, userId: null, ...row, normalized: normalizeQuery(row.query) });
  async function user(unitId: string) {
    const id = newId();
    await db().insert(users).values({ id, name: `用户${id.slice(-4)}`, email: `${id}@example.cn`, roles: ['member'], status: 'active', unitId, createdAt: clock.now(), updatedAt: clock.now() });
    return id;
  }

  it('lists searches that found nothing by normalized query, most frequent first, with the units they came from', async () => {
    await log({ query: '红黑名单 导出格式', hits: 0, at: ago(1 * DAY), unitId: unitA.id });
    await log({ query: '  红黑名单   导出格式 ', hits: 0, at: ago(2 * DAY), unitId: unitB.id });
    await log({ query: '红黑名单 导出格式', hits: 0, at: ago(3 * 60 * MINUTE), unitId: unitA.id });
    await log({ query: 'ORA-12541', hits: 0, at: ago(60 * MINUTE) });
    // Found something, or too long ago: not a gap.
    await log({ query: '红黑名单 导出格式', hits: 4, at: ago(1 * DAY), unitId: unitB.id });
    await log({ query: '红黑名单 导出格式', hits: 0, at: ago(60 * DAY), unitId: unitB.id });
    const gaps = await searchesWithoutResult({ db: db(), since });
    expect(gaps.map((g) => ({ ...g, units: [...g.units].sort() }))).toEqual([
      { query: '红黑名单 导出格式', searches: 3, units: [unitA.name, unitB.name].sort() },
      { query: 'ora-12541', searches: 1, units: [] },
    ]);
  });

  it('counts a search followed within ten minutes by a question from the same user, and not one half an hour before', async () => {
    const [a, b, c, d] = [await user(unitA.id), await user(unitB.id), await user(unitB.id), await user(unitA.id)];
    await log({ query: '信用修复 材料清单', hits: 2, at: ago(20 * MINUTE), userId: a, unitId: unitA.id });
    await stored({ title: '信用修复需要哪些材料', email: 'a@unit-a.example.cn', askerId: a, unitId: unitA.id, at: ago(15 * MINUTE) });
    await log({ query: '信用修复  材料清单', hits: 2, at: ago(12 * MINUTE), userId: b, unitId: unitB.id });
    await log({ query: '双公示 报送时限', hits: 5, at: ago(35 * MINUTE), userId: b, unitId: unitB.id });
    await stored({ title: '信用修复材料有模板吗', email: 'b@unit-b.example.cn', askerId: b, unitId: unitB.id, at: ago(5 * MINUTE) });
    // Searched half an hour before asking: not what made them ask.
    await log({ query: '证书 打印', hits: 1, at: ago(40 * MINUTE), userId: c, unitId: unitB.id });
    await stored({ title: '结业证书怎么打印', email: 'c@unit-b.example.cn', askerId: c, unitId: unitB.id, at: ago(10 * MINUTE) });
    // Someone else asking right after a search does not count for it.
    await log({ query: '培训 报名', hits: 1, at: ago(8 * MINUTE), userId: d, unitId: unitA.id });
    const gaps = await searchesThenAsked({ db: db(), since });
    expect(gaps.map((g) => ({ ...g, units: [...g.units].sort() }))).toEqual([{ query: '信用修复 材料清单', searches: 2, units: [unitA.name, unitB.name].sort() }]);
  });

  it('sums the asks each page ended by page, whichever section was suggested', async () => {
    const deflect = (articleUrl: string, at: Date) => db().insert(questionDeflections).values({ id: newId(), query: '信用修复怎么申请', articleUrl, createdAt: at });
    await deflect('/faq/repair-apply-online', ago(1 * DAY));
    await deflect('/faq/repair-apply-online', ago(2 * DAY));
    await deflect('/manuals/guide/ask#fault', ago(1 * DAY));
    await deflect('/manuals/guide/ask#附件-说明', ago(3 * DAY));
    await deflect('/manuals/guide/ask', ago(60 * DAY));
    expect(await deflectionsByPage({ db: db(), since })).toEqual(new Map([['/faq/repair-apply-online', 2], ['/manuals/guide/ask', 2]]));
    expect((await deflectionsByPage({ db: db() })).get('/manuals/guide/ask')).toBe(3);
  });
});
