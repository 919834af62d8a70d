import { and, arrayOverlaps, eq, inArray, or } from 'drizzle-orm';
import type { Tx } from '../../../db/client.ts';
import { users, type Role } from '../../../db/schema/index.ts';
import type { MailInput } from '../mail/mail.outbox.ts';

export const kindLabels = { upgrade: '版本升级', training: '培训通知', general: '通知' } as const;

export function announcementMail({ to, name, kind, title, body, link, until }: { to: string; name: string; kind: keyof typeof kindLabels; title: string; body: string; link: string; until: string }): MailInput {
  return {
    kind: 'announcement',
    to: [to],
    subject: `【答疑】${kindLabels[kind]}：${title}`,
    text: `${name}，您好：\n\n${body}\n\n（本公告在答疑首页显示至 ${until}：${link}）\n\n—— 答疑 · 公共信用信息平台帮助中心`,
  };
}

/** Active users who have one of `roles` or belong to one of `unitIds`, each once. */
export async function recipientsOf(tx: Tx, { roles, unitIds }: { roles: Role[]; unitIds: string[] }): Promise<{ name: string; email: string }[]> {
  const who = [roles.length ? arrayOverlaps(users.roles, roles) : undefined, unitIds.length ? inArray(users.unitId, unitIds) : undefined].filter((c) => c !== undefined);
  if (!who.length) return [];
  return tx
    .select({ name: users.name, email: users.email })
    .from(users)
    .where(and(eq(users.status, 'active'), or(...who)))
    .orderBy(users.email);
}
