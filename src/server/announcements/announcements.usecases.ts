import { and, desc, eq, gt, inArray, isNull, lte } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { announcements, units } from '../../../db/schema/index.ts';
import { auditRequest, type RequestMeta } from '../audit/audit.usecases.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { queueMail } from '../mail/mail.outbox.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError, createValidationError, fieldsOf } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import { renderUserMarkdown } from '../shared/markdown.ts';
import { formatDateTimeZh, parseLocalDateTime } from '../shared/time.ts';
import { announcementMail, recipientsOf } from './announcements.mail.ts';
import { announcementInputSchema } from './announcements.schemas.ts';

export type AnnouncementRow = typeof announcements.$inferSelect;

export interface AnnouncementDeps {
  db: Db;
  clock: Clock;
  jobs: Pick<Jobs, 'wakeMail'>;
  mailFrom: string;
  baseUrl: string;
  timeZone: string;
}

/** The longest an announcement may stay on the home page. */
const MAX_DAYS = 366;

/**
 * Publishes an announcement now: shown on the home page until `expiresAt`,
 * and mailed once — one mail per recipient, queued in the same transaction —
 * to the active users of the chosen roles and units.
 */
export async function publishAnnouncement({ deps, authorId, input, meta }: { deps: AnnouncementDeps; authorId: string; input: unknown; meta: RequestMeta }): Promise<{ announcement: AnnouncementRow; mailed: number }> {
  const parsed = announcementInputSchema.safeParse(input);
  if (!parsed.success) throw createValidationError(fieldsOf(parsed.error));
  const a = parsed.data;
  const now = deps.clock.now();
  const expiresAt = parseLocalDateTime(a.expiresAt, deps.timeZone);
  if (!expiresAt || expiresAt <= now) throw createValidationError({ expiresAt: '截止时间须晚于现在。' });
  if (expiresAt.getTime() - now.getTime() > MAX_DAYS * 86_400_000) throw createValidationError({ expiresAt: `公告最长显示 ${MAX_DAYS} 天。` });
  return deps.db.transaction(async (tx) => {
    if (a.mailUnitIds.length) {
      const known = await tx.select({ id: units.id }).from(units).where(inArray(units.id, a.mailUnitIds));
      if (known.length !== new Set(a.mailUnitIds).size) throw createValidationError({ mailUnitIds: '所选单位不存在。' });
    }
    const recipients = await recipientsOf(tx, { roles: a.mailRoles, unitIds: a.mailUnitIds });
    const id = newId();
    const [row] = await tx
      .insert(announcements)
      .values({ id, kind: a.kind, title: a.title, body: a.body, access: a.access, mailRoles: a.mailRoles, mailUnitIds: a.mailUnitIds, authorId, publishedAt: now, expiresAt, mailedAt: recipients.length ? now : null, createdAt: now, updatedAt: now })
      .returning();
    const until = formatDateTimeZh(expiresAt, deps.timeZone);
    for (const r of recipients) {
      await queueMail({ tx, jobs: deps.jobs, clock: deps.clock, from: deps.mailFrom, mail: announcementMail({ to: r.email, name: r.name, kind: a.kind, title: a.title, body: a.body, link: `${deps.baseUrl}/`, until }) });
    }
    await auditRequest({ db: tx, clock: deps.clock, meta, event: { action: 'announcement.publish', targetType: 'announcement', targetId: id, after: { kind: a.kind, title: a.title, expiresAt: expiresAt.toISOString(), mailed: recipients.length } } });
    return { announcement: row!, mailed: recipients.length };
  });
}

/** Takes an announcement off the home page before it expires (its mail, already sent, stays sent). */
export async function withdrawAnnouncement({ deps, id, meta }: { deps: AnnouncementDeps; id: string; meta: RequestMeta }): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const [row] = await tx.update(announcements).set({ withdrawnAt: now, updatedAt: now }).where(and(eq(announcements.id, id), isNull(announcements.withdrawnAt))).returning({ id: announcements.id });
    if (!row) throw new AppError('announcement.not_found', '未找到该公告，或它已撤下。', 404);
    await auditRequest({ db: tx, clock: deps.clock, meta, event: { action: 'announcement.withdraw', targetType: 'announcement', targetId: id } });
  });
}

/** Every announcement, newest first, for the management page. */
export async function listAnnouncements({ db, limit = 50 }: { db: Db; limit?: number }): Promise<AnnouncementRow[]> {
  return db.select().from(announcements).orderBy(desc(announcements.publishedAt), desc(announcements.id)).limit(limit);
}

/**
 * The home page's announcements: current (published, not expired, not
 * withdrawn) and readable by the viewer (member ones only when signed in),
 * newest first, body rendered sanitized. One query on the current index.
 */
export async function currentAnnouncements({ db, now, signedIn, limit = 5 }: { db: Db; now: Date; signedIn: boolean; limit?: number }): Promise<(AnnouncementRow & { html: string })[]> {
  const rows = await db
    .select()
    .from(announcements)
    .where(and(gt(announcements.expiresAt, now), lte(announcements.publishedAt, now), isNull(announcements.withdrawnAt), signedIn ? undefined : eq(announcements.access, 'public')))
    .orderBy(desc(announcements.publishedAt), desc(announcements.id))
    .limit(limit);
  return rows.map((r) => ({ ...r, html: renderUserMarkdown(r.body) }));
}
