import type { MailInput } from '../mail/mail.outbox.ts';
import { compose, subjectOf, type MailQuestion } from '../questions/questions.mail.ts';

/**
 * To the asker whose mail could not be added to their question (closed, or
 * merged into another): how to go on, on the tracking page. An automatic
 * reply (RFC 3834), in the question's thread, with no reply address, so it
 * never starts a loop.
 */
export function mailNotAddedMail(q: MailQuestion, { trackingUrl, merged }: { trackingUrl: string; merged: boolean }): MailInput {
  const why = merged
    ? `问题 ${q.number} 已合并到另一个问题处理，您的邮件没有添加到记录中。请在处理进度页面查看进展；如有新的情况，请提交新的问题。`
    : `问题 ${q.number} 已关闭，您的邮件没有添加到记录中。如果问题仍未解决，请打开处理进度页面重新打开问题（关闭后一段时间内可以重新打开），或提交新的问题。`;
  return {
    kind: 'inbound.not_added',
    to: [q.contactEmail],
    subject: `未能添加：${subjectOf(q)}`,
    headers: {
      'Auto-Submitted': 'auto-replied',
      ...(q.threadMessageId ? { 'In-Reply-To': q.threadMessageId, References: q.threadMessageId } : {}),
    },
    ...compose([`${q.contactName}，您好：`, why], { link: trackingUrl, linkLabel: '查看处理进度' }),
  };
}
