import { createHash } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../../../db/client.ts';
import { coursewareFollows, mailOutbox, users } from '../../../db/schema/index.ts';
import type { Access } from '../content/content.schemas.ts';
import { canView } from '../content/content.access.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { queueMail, type MailInput } from '../mail/mail.outbox.ts';
import type { Clock } from '../shared/clock.ts';

/** The outbox id of one follower's mail about one version: the same on a retry, so nobody is mailed twice. */
export function versionMailId(slug: string, version: string, userId: string): string {
  const h = createHash('sha256').update(`courseware.version\0${slug}\0${version}\0${userId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function versionMail({ to, name, title, version, changelog, link }: { to: string; name: string; title: string; version: string; changelog: string; link: string }): MailInput {
  return {
    kind: 'courseware.version',
    to: [to],
    subject: `【答疑】课件更新：${title} ${version}`,
    text:
      `${name}，您好：\n\n您关注的培训课件“${title}”发布了新版本 ${version}。\n\n更新说明：\n${changelog}\n\n` +
      `查看和下载：${link}\n\n不想再收到该课件的更新邮件，可以在课件页点击“取消关注”。\n\n—— 答疑 · 公共信用信息平台帮助中心`,
  };
}

/**
 * Queues one mail per active follower who may still see the course, inside
 * the publishing transaction; ids are fixed per course, version and person,
 * so one already queued is not queued again. Returns how many were queued.
 */
export async function mailFollowers({
  tx,
  jobs,
  clock,
  mailFrom,
  baseUrl,
  course,
}: {
  tx: Tx;
  jobs: Pick<Jobs, 'wakeMail'>;
  clock: Clock;
  mailFrom: string;
  baseUrl: string;
  course: { slug: string; title: string; access: Access; version: string; changelog: string };
}): Promise<number> {
  const followers = await tx
    .select({ id: users.id, name: users.name, email: users.email, roles: users.roles, unitId: users.unitId })
    .from(coursewareFollows)
    .innerJoin(users, eq(users.id, coursewareFollows.userId))
    .where(and(eq(coursewareFollows.slug, course.slug), eq(users.status, 'active')));
  const readers = followers.filter((f) => canView(f, course.access));
  if (!readers.length) return 0;
  const ids = new Map(readers.map((r) => [versionMailId(course.slug, course.version, r.id), r]));
  const queued = new Set((await tx.select({ id: mailOutbox.id }).from(mailOutbox).where(inArray(mailOutbox.id, [...ids.keys()]))).map((r) => r.id));
  const link = `${baseUrl}/courseware/${course.slug}`;
  let n = 0;
  for (const [id, r] of ids) {
    if (queued.has(id)) continue;
    await queueMail({ tx, jobs, clock, from: mailFrom, id, mail: versionMail({ to: r.email, name: r.name, title: course.title, version: course.version, changelog: course.changelog, link }) });
    n++;
  }
  return n;
}
