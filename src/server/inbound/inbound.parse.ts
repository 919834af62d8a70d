import { simpleParser, type ParsedMail } from 'mailparser';
import { relabelGbCharsets } from './inbound.charset.ts';
import { stripQuoted } from './inbound.strip.ts';

/** A file that came with a mail. */
export interface MailFile {
  name: string;
  content: Buffer;
}

/** What Dayi reads from one received mail. */
export interface ReadMail {
  messageId: string | null;
  /** The From address, lower-cased (the envelope sender when the header has none). */
  from: string;
  fromName: string;
  subject: string;
  /** In-Reply-To and References, in that order. */
  threadIds: string[];
  /** The sender's new text: the text part (or the HTML as text), quoted history and signature removed. */
  text: string;
  files: MailFile[];
  /** Why this is an automatic message (out-of-office, bounce, one of our own), or null for a person's mail. */
  automatic: string | null;
}

const AUTO_SUBJECT = /^\s*(自动回复|自动答复|自動回覆|休假|外出|不在办公室|Auto(matic)?[ -]?(Reply|Response)|Out of (the )?Office|Undeliverable|Undelivered Mail|Delivery Status Notification|Mail Delivery (Failed|System)|系统退信|退信)/i;
const BULK_PRECEDENCE = /^(bulk|junk|list|auto_reply)$/i;

const headerText = (parsed: ParsedMail, name: string): string => {
  const v = parsed.headers.get(name);
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : typeof v === 'object' && 'value' in v ? String(v.value) : String(v);
};

/** The address part of MAIL_FROM ("答疑 Dayi <dayi@example.cn>" → dayi@example.cn). */
export const addressOf = (mailbox: string) => (/<([^>]+)>/.exec(mailbox)?.[1] ?? mailbox).trim().toLowerCase();

/**
 * Why a mail is not a person's message: an out-of-office or other automatic
 * reply (RFC 3834 Auto-Submitted, the X-Autoreply family, Precedence, the
 * subjects clients use), a bounce (empty envelope sender, a delivery report),
 * or our own mail come back (our From, our X-Dayi header): a loop.
 */
export function automaticReason(parsed: ParsedMail, { envelopeFrom, ourAddress }: { envelopeFrom: string; ourAddress: string }): string | null {
  const auto = headerText(parsed, 'auto-submitted').trim().toLowerCase();
  if (auto && auto !== 'no') return `Auto-Submitted: ${auto}`;
  for (const h of ['x-autoreply', 'x-autorespond', 'x-autoreply-from', 'x-mail-autoreply'])
    if (parsed.headers.has(h)) return h;
  const precedence = headerText(parsed, 'precedence').trim();
  if (BULK_PRECEDENCE.test(precedence)) return `Precedence: ${precedence}`;
  if (parsed.headers.has('x-dayi')) return 'loop: X-Dayi';
  const from = parsed.from?.value[0]?.address?.toLowerCase() ?? '';
  if (from === ourAddress || addressOf(envelopeFrom) === ourAddress) return 'loop: our own address';
  if (!envelopeFrom) return 'bounce: empty envelope sender';
  if (/^(mailer-daemon|postmaster)@/i.test(from)) return `bounce: ${from}`;
  if (headerText(parsed, 'content-type').toLowerCase() === 'multipart/report') return 'bounce: delivery report';
  if (AUTO_SUBJECT.test(parsed.subject ?? '')) return 'subject';
  return null;
}

const idsIn = (value: string | string[] | undefined): string[] =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((v) => v.match(/<[^<>\s]+>/g) ?? []);

/**
 * Parses a raw message: GB2312/GBK labels read as GB18030, RFC 2047 subjects
 * decoded (mailparser), the text stripped of quoted history. Inline parts
 * without a file name (signature logos) are not files.
 */
export async function readMail(raw: Buffer, { envelopeFrom, ourAddress }: { envelopeFrom: string; ourAddress: string }): Promise<ReadMail> {
  const parsed = await simpleParser(relabelGbCharsets(raw), { skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  const sender = parsed.from?.value.find((a) => a.address);
  return {
    messageId: parsed.messageId?.trim() || null,
    from: (sender?.address ?? addressOf(envelopeFrom)).toLowerCase(),
    fromName: sender?.name?.trim() ?? '',
    subject: (parsed.subject ?? '').trim(),
    threadIds: [...new Set([...idsIn(parsed.inReplyTo), ...idsIn(parsed.references)])],
    text: stripQuoted(parsed.text ?? ''),
    files: parsed.attachments.filter((a) => a.filename?.trim()).map((a) => ({ name: a.filename!.trim(), content: a.content })),
    automatic: automaticReason(parsed, { envelopeFrom, ourAddress }),
  };
}
