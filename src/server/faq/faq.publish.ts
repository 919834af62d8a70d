/**
 * Publishing a cluster as an FAQ entry (`content/faq/<slug>.md`), and editing
 * an entry from its page. The file is written atomically as the last step of
 * the transaction that marks the cluster published; the content watcher (and
 * the reload here) puts it in search within seconds.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { faqClusterMembers, faqClusters, questions } from '../../../db/schema/index.ts';
import { auditRequest, type RequestMeta } from '../audit/audit.usecases.ts';
import { parseFrontmatter } from '../content/content.frontmatter.ts';
import { accessLevels, faqSchema } from '../content/content.schemas.ts';
import type { ContentStore } from '../content/content.loader.ts';
import { renderMarkdown } from '../content/content.render.ts';
import type { ContentService } from '../content/content.service.ts';
import { markdownFile, writeContentFile } from '../content/content.write.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { queueMail } from '../mail/mail.outbox.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError, createErrorFactory, createValidationError, fieldsOf } from '../shared/errors.ts';
import { learnAskedAs } from '../search/search.asked.ts';
import { createFaqClusterNotFoundError } from './faq.errors.ts';

export interface FaqPublishDeps {
  db: Db;
  clock: Clock;
  jobs: Pick<Jobs, 'wakeMail'>;
  mailFrom: string;
  baseUrl: string;
  contentDir: string;
  content?: Pick<ContentService, 'reload'>;
}

/** The entry as the review and edit forms send it. */
export const faqEntryInputSchema = z.strictObject({
  title: z.string().trim().min(4, '请填写问题（至少 4 个字）。').max(100, '问题最多 100 字。'),
  category: z.string().trim().min(1, '请填写分类，例如“账号与登录”。').max(20, '分类最多 20 字。'),
  tags: z
    .string()
    .max(200)
    .transform((s) => [...new Set(s.split(/[,，、\s]+/).map((t) => t.trim()).filter(Boolean))])
    .refine((t) => t.length <= 8, '标签最多 8 个。'),
  access: z.enum(accessLevels, { message: '请选择访问范围。' }),
  body: z.string().trim().min(10, '请填写答案（至少 10 个字）。').max(20_000, '答案最多 20000 字。'),
});
const slugSchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{1,59}$/, '地址名应为 2–60 个小写字母、数字或连字符，例如 report-withdraw。');

export const FAQ_FIELDS = ['title', 'category', 'tags', 'access', 'body'] as const;
const pick = (form: Record<string, string>, keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, form[k] ?? '']));

const createFaqExistsError = () => new AppError('faq.exists', '已有同一地址名的常见问题，请换一个地址名。', 409, { slug: '该地址名已被使用。' });
const createFaqAlreadyPublishedError = createErrorFactory({ code: 'faq.already_published', message: '该问题组已经发布为常见问题。', status: 409 });
const createFaqNotFoundError = createErrorFactory({ code: 'faq.not_found', message: '未找到该常见问题。', status: 404 });
const createFaqFileInvalidError = createErrorFactory({ code: 'faq.file_invalid', message: '该常见问题的内容文件有误，请先运行 npm run content:check 并修正。', status: 409 });

/** An existing entry's slug as a file name: nothing that could leave `faq/`. */
const isEntrySlug = (slug: string) => /^[A-Za-z0-9][\w-]{0,99}$/.test(slug);

const read = (file: string) => readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(e)));

/**
 * Publishes cluster `clusterId` as `content/faq/<slug>.md`: its frontmatter
 * records the source questions, when and by whom; the cluster becomes
 * published (no longer a candidate) and each source question's page links to
 * the entry; with `notify`, each distinct asker is mailed once.
 */
export async function publishFaq({
  deps,
  clusterId,
  form,
  actor,
  meta,
}: {
  deps: FaqPublishDeps;
  clusterId: string;
  form: Record<string, string>;
  actor: { id: string; name: string };
  meta: RequestMeta;
}): Promise<{ slug: string; mailed: number }> {
  const slug = slugSchema.safeParse(form.slug ?? '');
  const input = faqEntryInputSchema.safeParse(pick(form, FAQ_FIELDS));
  if (!slug.success || !input.success) throw createValidationError({ ...(slug.success ? {} : { slug: slug.error.issues[0]!.message }), ...(input.success ? {} : fieldsOf(input.error)) });
  const rel = `faq/${slug.data}.md`;
  const file = path.join(deps.contentDir, rel);
  const { db, clock } = deps;
  let wrote = false;
  try {
    const result = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`faq:${clusterId}`}))`);
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`faq-file:${slug.data}`}))`);
      const [cluster] = await tx.select().from(faqClusters).where(eq(faqClusters.id, clusterId));
      if (!cluster) throw createFaqClusterNotFoundError();
      if (cluster.status === 'published') throw createFaqAlreadyPublishedError();
      if ((await read(file)) !== null) throw createFaqExistsError();
      const members = await tx
        .select({ id: questions.id, number: questions.number, title: questions.title, email: questions.contactEmail, name: questions.contactName, createdAt: questions.createdAt })
        .from(faqClusterMembers)
        .innerJoin(questions, eq(questions.id, faqClusterMembers.questionId))
        .where(eq(faqClusterMembers.clusterId, clusterId));
      members.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
      const now = clock.now();
      const e = input.data;
      const data = { title: e.title, category: e.category, tags: e.tags, access: e.access, updated: now.toISOString().slice(0, 10), promoted: { questions: members.map((m) => m.id), at: now.toISOString(), by: actor.name } };
      if (!faqSchema.safeParse(data).success) throw createValidationError({ title: '内容无法保存为常见问题。' });
      await tx.update(faqClusters).set({ status: 'published', faqSlug: slug.data, updatedAt: now }).where(eq(faqClusters.id, clusterId));
      let mailed = 0;
      if (form.notify === 'on') {
        const link = `${deps.baseUrl}/faq/${slug.data}`;
        const byAddress = new Map(members.map((m) => [m.email.toLowerCase(), m]));
        for (const m of byAddress.values()) {
          await queueMail({
            tx,
            jobs: deps.jobs,
            clock,
            from: deps.mailFrom,
            mail: {
              kind: 'faq.published',
              to: [m.email],
              subject: `【答疑】您的问题已整理为常见问题：${e.title}`,
              text: `${m.name}，您好：\n\n您提出的问题（${m.number}：${m.title}）与其他单位的同类问题一起，整理成了常见问题“${e.title}”，以后遇到可以直接查看：\n${link}\n\n—— 答疑 · 公共信用信息平台帮助中心`,
            },
          });
          mailed++;
        }
      }
      // The entry is found by how each source question was asked, too.
      for (const m of members) await learnAskedAs(tx, { clock, urls: [`/faq/${slug.data}`], phrase: m.title, questionId: m.id, source: 'faq' });
      await auditRequest({ db: tx, clock, meta, event: { action: 'faq.publish', targetType: 'faq', targetId: slug.data, after: { clusterId, questions: members.length, mailed } } });
      await writeContentFile(deps.contentDir, rel, markdownFile(data, `${e.body}\n`));
      wrote = true;
      return { slug: slug.data, mailed };
    });
    wrote = false; // committed: the file stays even if the reload fails (the watcher picks it up)
    await deps.content?.reload();
    return result;
  } catch (e) {
    if (wrote) await rm(file, { force: true });
    throw e;
  }
}

/** Edits an FAQ entry from its page: question, category, tags, access and answer; its order and promotion record are kept. */
export async function updateFaq({ deps, slug, form, meta }: { deps: FaqPublishDeps; slug: string; form: Record<string, string>; meta: RequestMeta }): Promise<void> {
  if (!isEntrySlug(slug)) throw createFaqNotFoundError();
  const input = faqEntryInputSchema.safeParse(pick(form, FAQ_FIELDS));
  if (!input.success) throw createValidationError(fieldsOf(input.error));
  const rel = `faq/${slug}.md`;
  const { db, clock } = deps;
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`faq-file:${slug}`}))`);
    const text = await read(path.join(deps.contentDir, rel));
    if (text === null) throw createFaqNotFoundError();
    const fm = parseFrontmatter(text);
    if (!fm.ok || !faqSchema.safeParse(fm.value.data).success) throw createFaqFileInvalidError();
    const e = input.data;
    const data = { ...(fm.value.data as Record<string, unknown>), title: e.title, category: e.category, tags: e.tags, access: e.access, updated: clock.now().toISOString().slice(0, 10) };
    await auditRequest({ db: tx, clock, meta, event: { action: 'faq.update', targetType: 'faq', targetId: slug, after: { title: e.title, access: e.access } } });
    await writeContentFile(deps.contentDir, rel, markdownFile(data, `${e.body}\n`));
  });
  await deps.content?.reload();
}

/** The markdown body of an FAQ file as written (for the edit form). */
export async function faqBody(contentDir: string, slug: string): Promise<string> {
  if (!isEntrySlug(slug)) return '';
  const text = await read(path.join(contentDir, `faq/${slug}.md`));
  const fm = text === null ? null : parseFrontmatter(text);
  return fm?.ok ? fm.value.body.trim() : '';
}

/** The answer as the FAQ page will show it: the content renderer (links to other pages resolved, sanitized), for the preview. */
export function previewFaqHtml(store: ContentStore, body: string): { html: string; problems: string[] } {
  const urls = new Map([...store.pages.values()].map((p) => [p.file, p.url]));
  const rendered = renderMarkdown({ markdown: body, firstLine: 1, file: 'faq/preview.md', resolvePage: (f) => urls.get(f) ?? null, resolveAsset: () => null });
  return { html: rendered.html, problems: rendered.issues.map((i) => `第 ${i.line} 行：${i.message}`) };
}
