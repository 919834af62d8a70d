import { simpleParser } from 'mailparser';

/** The headers an admin reads a kept mail by, in this order. */
const SHOWN = ['from', 'to', 'cc', 'reply-to', 'subject', 'date', 'message-id', 'in-reply-to'] as const;
const LABEL: Record<(typeof SHOWN)[number], string> = {
  from: 'From',
  to: 'To',
  cc: 'Cc',
  'reply-to': 'Reply-To',
  subject: 'Subject',
  date: 'Date',
  'message-id': 'Message-ID',
  'in-reply-to': 'In-Reply-To',
};

/**
 * A raw message (as kept in DATA_DIR/mail) as readable text, parsed as a mail
 * client would (mailparser: encoded words, quoted-printable, base64, charsets):
 * the main headers decoded, a blank line, the plain-text body.
 */
export async function readableEml(raw: Buffer | string): Promise<string> {
  const mail = await simpleParser(raw);
  const lines: string[] = [];
  for (const name of SHOWN) {
    const line = mail.headerLines.find((h) => h.key === name);
    if (!line) continue;
    lines.push(`${LABEL[name]}: ${headerText(mail.headers.get(name), line.line)}`);
  }
  return `${lines.join('\n')}\n\n${mail.text ?? ''}`.trimEnd() + '\n';
}

/** A parsed header as text: strings as decoded, addresses as mailparser writes them, anything else (dates) as in the file. */
function headerText(value: unknown, rawLine: string): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'text' in value) return String((value as { text: unknown }).text);
  return rawLine.slice(rawLine.indexOf(':') + 1).trim();
}
