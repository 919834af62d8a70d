import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { pageFeedback } from '../../../db/schema/index.ts';
import type { Clock } from '../shared/clock.ts';
import { createNotFoundError, createValidationError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { canView, type Viewer } from './content.access.ts';
import type { ContentStore } from './content.loader.ts';

export const feedbackInputSchema = z.strictObject({
  page: z.string().startsWith('/'),
  helpful: z.enum(['yes', 'no']),
  comment: z.string().trim().max(500).optional().default(''),
});

/**
 * Records "这篇内容有帮助吗？" for a page: one vote per page per voter; voting
 * again changes the vote (and comment) instead of adding one.
 */
export async function recordFeedback({
  db,
  clock,
  store,
  input,
  voterKey,
  viewer,
}: {
  db: Db;
  clock: Clock;
  store: ContentStore;
  input: unknown;
  voterKey: string;
  /** Who votes: a page they may not read is, for them, a page that does not exist. */
  viewer: Viewer | null;
}): Promise<{ helpful: boolean }> {
  const parsed = feedbackInputSchema.safeParse(input);
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const i of parsed.error.issues) {
      const key = String(i.path[0] ?? 'form');
      fields[key] = key === 'comment' ? '意见请控制在 500 字以内。' : key === 'helpful' ? '请选择“有帮助”或“没帮助”。' : '提交的内容有误。';
    }
    throw createValidationError(fields);
  }
  const { page, helpful, comment } = parsed.data;
  const target = store.pages.get(page);
  if (!target || !canView(viewer, target.access)) throw createNotFoundError({ page: '该页面不存在。' });
  const now = clock.now();
  const value = helpful === 'yes';
  await db
    .insert(pageFeedback)
    .values({ id: newId(), pageUrl: page, voterKey, userId: viewer?.id ?? null, helpful: value, comment: comment || null, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [pageFeedback.pageUrl, pageFeedback.voterKey],
      set: { helpful: value, comment: comment || null, updatedAt: now },
    });
  return { helpful: value };
}
