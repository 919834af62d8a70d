import type { MailInput } from '../mail/mail.outbox.ts';
import { compose, subjectOf } from '../questions/questions.mail.ts';

type Q = { number: string; title: string };

/** 75 % of a target gone: to the assignee (or the admins while nobody has it). */
export function warningMail(q: Q, { to, target, due, deskUrl }: { to: string[]; target: string; due: string; deskUrl: string }): MailInput {
  return {
    kind: 'sla.warning',
    to,
    subject: `即将超时（${target}）：${subjectOf(q)}`,
    ...compose([`问题 ${q.number}“${q.title}”的${target}时限将于 ${due} 到期，请尽快处理。`], { link: deskUrl, linkLabel: '在工作台打开' }),
  };
}

/** A target missed: to the assignee and the admins; who was brought in is said in the text. */
export function breachMail(q: Q, { to, target, due, escalated, deskUrl }: { to: string[]; target: string; due: string; escalated: string; deskUrl: string }): MailInput {
  return {
    kind: 'sla.breach',
    to,
    subject: `已超时（${target}）：${subjectOf(q)}`,
    ...compose([`问题 ${q.number}“${q.title}”的${target}时限已于 ${due} 到期。${escalated}`], { link: deskUrl, linkLabel: '在工作台打开' }),
  };
}
