import type { MailInput } from '../mail/mail.outbox.ts';
import { compose, subjectOf } from '../questions/questions.mail.ts';

type Q = { number: string; title: string };

/** To the engineer a question was routed to: what it is, why them, where to take it. */
export function assignedMail(q: Q, { to, name, reason, deskUrl }: { to: string; name: string; reason: string; deskUrl: string }): MailInput {
  return {
    kind: 'duty.assigned',
    to: [to],
    subject: `新问题分派给您：${subjectOf(q)}`,
    ...compose([`${name}，您好：`, `新问题 ${q.number}“${q.title}”已按值班表分派给您（${reason}）。请在首次响应时限内处理。`], {
      link: deskUrl,
      linkLabel: '在工作台打开',
    }),
  };
}

/** Nobody on duty: to the admins and the fallback address, at once. */
export function unroutedMail(q: Q, { to, deskUrl }: { to: string[]; deskUrl: string }): MailInput {
  return {
    kind: 'duty.unrouted',
    to,
    subject: `无人值班，问题待分派：${subjectOf(q)}`,
    ...compose([`新问题 ${q.number}“${q.title}”到达时没有在岗的一线值班工程师，已留在“未受理”队列。请尽快安排人员受理，并检查值班表。`], {
      link: deskUrl,
      linkLabel: '在工作台打开',
    }),
  };
}

/** To an expert or manager brought in: why, and where. */
export function participantMail(q: Q, { to, name, reason, deskUrl }: { to: string; name: string; reason: string; deskUrl: string }): MailInput {
  return {
    kind: 'duty.participant',
    to: [to],
    subject: `请协助处理：${subjectOf(q)}`,
    ...compose([`${name}，您好：`, `问题 ${q.number}“${q.title}”需要您协助：${reason}。`], { link: deskUrl, linkLabel: '在工作台打开' }),
  };
}
