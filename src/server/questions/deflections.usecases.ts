/**
 * What the suggestions beside the ask form achieved: which pages were
 * suggested, and which one ended the asking ("这解决了我的问题").
 */
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { askSuggestions, questionDeflections } from '../../../db/schema/index.ts';
import { policies, takeAttempt } from '../auth/auth.ratelimit.ts';
import type { AuthUser } from '../auth/auth.sessions.ts';
import type { Clock } from '../shared/clock.ts';
import { createValidationError, fieldsOf } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';

const articleUrl = z.string().regex(/^\/(manuals|faq|courseware|videos)\/[^\s]{1,300}$/, '只能记录本站的手册、常见问题、课件或视频。');

const deflectionSchema = z.strictObject({
  query: z.string().trim().min(1).max(500),
  articleUrl,
});

/** Pages the form showed at once: its suggestion list holds five at most. */
const suggestionsSchema = z.strictObject({
  urls: z.array(articleUrl).min(1).max(5),
});

/**
 * "这解决了我的问题" on a suggestion beside the ask form: records which text
 * the asker had typed and which article answered it. Nothing is submitted.
 */
export async function recordDeflection({ db, clock, input, viewer, clientIp }: { db: Db; clock: Clock; input: unknown; viewer: AuthUser | null; clientIp: string | null }): Promise<void> {
  const parsed = deflectionSchema.safeParse(input);
  if (!parsed.success) throw createValidationError(fieldsOf(parsed.error));
  if (clientIp) await takeAttempt({ db, clock, key: `form:ip:${clientIp}`, policy: policies.form });
  await db.insert(questionDeflections).values({ id: newId(), query: parsed.data.query, articleUrl: parsed.data.articleUrl, userId: viewer?.id ?? null, createdAt: clock.now() });
}

/**
 * Pages newly suggested beside an ask form (the browser reports each once per
 * form): one row per page, anchors and queries dropped. Limited per address like the
 * search log, so a script cannot inflate the counts.
 */
export async function recordSuggestions({ db, clock, input, clientIp }: { db: Db; clock: Clock; input: unknown; clientIp: string | null }): Promise<{ recorded: number }> {
  const parsed = suggestionsSchema.safeParse(input);
  if (!parsed.success) throw createValidationError(fieldsOf(parsed.error));
  if (clientIp) await takeAttempt({ db, clock, key: `suggest:ip:${clientIp}`, policy: policies.searchLog });
  const pages = [...new Set(parsed.data.urls.map((u) => u.split(/[#?]/)[0]!))];
  const now = clock.now();
  await db.insert(askSuggestions).values(pages.map((pageUrl) => ({ id: newId(), pageUrl, createdAt: now })));
  return { recorded: pages.length };
}
