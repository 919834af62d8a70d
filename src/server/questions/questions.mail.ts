import type { MailInput } from '../mail/mail.outbox.ts';
import { renderUserMarkdown } from '../shared/markdown.ts';
import { escapeText } from '../shared/html.ts';

/** What every mail about a question needs to know of it. */
export interface MailQuestion {
  number: string;
  title: string;
  contactName: string;
  contactEmail: string;
  /** The receipt's Message-ID; later mails reply to it so one question is one conversation. */
  threadMessageId: string | null;
  /** The question's signed reply address when Dayi receives mail (INBOUND_SMTP_PORT); absent, mails carry no Reply-To. */
  replyTo?: string | null;
}

const SIGNATURE = '—— 答疑 · 公共信用信息平台帮助中心';

/**
 * Root-relative links of a reply (`[标题](/faq/…)` as the desk inserts them)
 * made absolute, so they open from a mail client; the timeline keeps them as typed.
 */
export const absoluteLinks = (markdown: string, baseUrl: string) =>
  markdown.replace(/\]\((\/(?!\/)[^)\s]*)\)/g, (_, path: string) => `](${baseUrl.replace(/\/$/, '')}${path})`);

export const subjectOf = (q: { number: string; title: string }) => `[答疑 ${q.number}] ${q.title}`;

/** Threading to the receipt, and the reply address: a reply by mail lands on this question. */
function threading(q: MailQuestion): Record<string, string> | undefined {
  const headers: Record<string, string> = {
    ...(q.threadMessageId ? { 'In-Reply-To': q.threadMessageId, References: q.threadMessageId } : {}),
    ...(q.replyTo ? { 'Reply-To': `答疑 <${q.replyTo}>` } : {}),
  };
  return Object.keys(headers).length ? headers : undefined;
}

/** Text and HTML from paragraphs; `markdown` (a reply) is rendered sanitized in HTML and kept as typed in text. */
export function compose(paragraphs: string[], { markdown, link, linkLabel }: { markdown?: string; link: string; linkLabel: string }) {
  const text = [...paragraphs, ...(markdown ? [markdown] : []), `${linkLabel}：${link}`, SIGNATURE].join('\n\n');
  const html =
    `<div style="font-family:sans-serif;line-height:1.6">` +
    paragraphs.map((p) => `<p>${escapeText(p)}</p>`).join('') +
    (markdown ? `<blockquote style="border-left:3px solid #ccc;margin:0;padding-left:1em">${renderUserMarkdown(markdown)}</blockquote>` : '') +
    `<p><a href="${escapeText(link)}">${escapeText(linkLabel)}</a></p><p>${escapeText(SIGNATURE)}</p></div>`;
  return { text, html };
}

/** The receipt: the question's number and the private tracking link. The thread's first message. */
export function receiptMail(q: MailQuestion, { trackingUrl }: { trackingUrl: string }): MailInput {
  return {
    kind: 'question.receipt',
    to: [q.contactEmail],
    subject: subjectOf(q),
    headers: threading(q),
    ...compose(
      [
        `${q.contactName}，您好：`,
        `我们已收到您的问题“${q.title}”，编号 ${q.number}。值班工程师会尽快处理，处理进展会通过邮件通知您。`,
        '下面的链接是您查看处理进度、补充说明和评价的专用链接，无需登录即可打开，请不要转发给他人。',
      ],
      { link: trackingUrl, linkLabel: '查看处理进度' },
    ),
  };
}

/** An engineer's reply, with the text of the reply. */
export function replyMail(
  q: MailQuestion,
  { engineer, body, trackingUrl, files = [] }: { engineer: string; body: string; trackingUrl: string; files?: string[] },
): MailInput {
  // Files stay on the question page (up to 10 × 20 MB would not pass most mail servers); the mail names them.
  const attached = files.length ? `\n\n附件（请在问题页面下载）：${files.join('、')}` : '';
  return {
    kind: 'question.reply',
    to: [q.contactEmail],
    subject: `回复：${subjectOf(q)}`,
    headers: threading(q),
    ...compose([`${q.contactName}，您好：`, `${engineer} 回复了您的问题 ${q.number}：`], {
      markdown: body + attached,
      link: trackingUrl,
      linkLabel: '查看完整记录、补充说明或确认已解决',
    }),
  };
}

/** A change of status the asker should know of. */
export function statusMail(q: MailQuestion, { status, trackingUrl }: { status: string; trackingUrl: string }): MailInput {
  return {
    kind: 'question.status',
    to: [q.contactEmail],
    subject: `状态更新：${subjectOf(q)}`,
    headers: threading(q),
    ...compose([`${q.contactName}，您好：`, `您的问题 ${q.number} 当前状态：${status}。`], { link: trackingUrl, linkLabel: '查看处理进度' }),
  };
}

/** Resolved: asks for a rating. The link only opens the page; rating is a form there (a mail scanner cannot cast one). */
export function resolvedMail(q: MailQuestion, { trackingUrl }: { trackingUrl: string }): MailInput {
  return {
    kind: 'question.resolved',
    to: [q.contactEmail],
    subject: `已解决：${subjectOf(q)}`,
    headers: threading(q),
    ...compose(
      [`${q.contactName}，您好：`, `您的问题 ${q.number} 已标记为已解决。请花一分钟评价这次服务（服务态度、业务水平、技术水平）；如果问题没有真正解决，也可以在页面上重新打开。`],
      { link: trackingUrl, linkLabel: '评价本次服务' },
    ),
  };
}

/**
 * The asker of a duplicate: their question now follows another one. The link
 * is their own tracking page, which shows the kept question's progress; the
 * kept question's private link belongs to its own asker and is never sent.
 */
export function mergedMail(q: MailQuestion, { into, trackingUrl }: { into: { number: string; title: string }; trackingUrl: string }): MailInput {
  return {
    kind: 'question.merged',
    to: [q.contactEmail],
    subject: `已合并：${subjectOf(q)}`,
    headers: threading(q),
    ...compose(
      [
        `${q.contactName}，您好：`,
        `您的问题 ${q.number} 与问题 ${into.number}“${into.title}”内容相同，已合并处理。之后该问题有新答复或状态变化时，会继续发邮件通知您。`,
      ],
      { link: trackingUrl, linkLabel: '查看处理进展' },
    ),
  };
}

/** News of the kept question for the asker of a duplicate merged into it, in the duplicate's own thread. */
export function followerMail(
  dup: MailQuestion,
  { kept, update, markdown, trackingUrl }: { kept: { number: string; title: string }; update: string; markdown?: string; trackingUrl: string },
): MailInput {
  return {
    kind: 'question.follow',
    to: [dup.contactEmail],
    subject: `进展：${subjectOf(dup)}`,
    headers: threading(dup),
    ...compose([`${dup.contactName}，您好：`, `您的问题 ${dup.number} 已合并到问题 ${kept.number}“${kept.title}”处理。${update}`], {
      ...(markdown ? { markdown } : {}),
      link: trackingUrl,
      linkLabel: '查看处理进展',
    }),
  };
}

/** Admins hear of a rating of 2 or less at once. */
export function lowRatingMail(q: { number: string; title: string }, { to, overall, comment, deskUrl }: { to: string[]; overall: number; comment: string | null; deskUrl: string }): MailInput {
  return {
    kind: 'question.low_rating',
    to,
    subject: `【低分评价】${subjectOf(q)}`,
    ...compose([`问题 ${q.number} 收到 ${overall} 分（满分 5 分）的评价。`, ...(comment ? [`评价意见：${comment}`] : [])], { link: deskUrl, linkLabel: '查看问题' }),
  };
}

/** Every active admin hears of a complaint (投诉) at once, with its text and the question's desk page. */
export function complaintMail(q: MailQuestion, { to, body, deskUrl, adminUrl }: { to: string[]; body: string; deskUrl: string; adminUrl: string }): MailInput {
  return {
    kind: 'question.complaint',
    to,
    subject: `【投诉】${subjectOf(q)}`,
    ...compose([`${q.contactName} 对问题 ${q.number}“${q.title}”的处理提出了投诉：`, `请在“投诉处理”中答复（${adminUrl}），答复会邮件发给提问人。`], {
      markdown: body,
      link: deskUrl,
      linkLabel: '查看问题',
    }),
  };
}

/** The admin's answer to the asker's complaint, in the question's thread. */
export function complaintAnsweredMail(q: MailQuestion, { answer, trackingUrl }: { answer: string; trackingUrl: string }): MailInput {
  return {
    kind: 'question.complaint_answered',
    to: [q.contactEmail],
    subject: `投诉答复：${subjectOf(q)}`,
    headers: threading(q),
    ...compose([`${q.contactName}，您好：`, `您对问题 ${q.number} 的投诉已有答复：`], { markdown: answer, link: trackingUrl, linkLabel: '查看处理进度' }),
  };
}
