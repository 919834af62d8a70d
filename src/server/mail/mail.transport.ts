import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../config/config.ts';

export interface OutgoingMail {
  /** Used for the kept-file name; the outbox row id. */
  id: string;
  /** The template name (outbox `kind`), sent as `X-Dayi` so our own mail coming back is recognised as a loop. */
  kind?: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html?: string | null;
  messageId: string;
  headers?: Record<string, string> | null;
}

export interface MailTransport {
  kind: 'smtp' | 'files';
  /** Where kept mail goes (files mode). */
  dir?: string;
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

function toNodemailer(mail: OutgoingMail) {
  return {
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html ?? undefined,
    messageId: mail.messageId,
    // RFC 3834: out-of-office responders do not answer generated mail; X-Dayi marks ours if it comes back anyway.
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Dayi': mail.kind ?? 'mail', ...mail.headers },
  };
}

/** SMTP through a pooled nodemailer transport, or `.eml` files in DATA_DIR/mail. */
export function createMailTransport(mail: Config['mail']): MailTransport {
  if (mail.kind === 'smtp') {
    // nodemailer reads its options from the URL; `pool` reuses connections across messages.
    const url = new URL(mail.url);
    url.searchParams.set('pool', 'true');
    // One attempt ends well within the outbox's sending lease (60 s), so two workers never send a row at once.
    for (const [k, v] of Object.entries({ connectionTimeout: '15000', greetingTimeout: '15000', socketTimeout: '30000' }))
      if (!url.searchParams.has(k)) url.searchParams.set(k, v);
    const transporter = nodemailer.createTransport(url.toString());
    return {
      kind: 'smtp',
      async send(m) {
        await transporter.sendMail({ ...toNodemailer(m), disableFileAccess: true, disableUrlAccess: true });
      },
      close: () => transporter.close(),
    };
  }
  const stream = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'files',
    dir: mail.dir,
    async send(m) {
      mkdirSync(mail.dir, { recursive: true, mode: 0o700 });
      const file = path.join(mail.dir, `${m.id}.eml`);
      // Delivery is once per outbox row: a retry after a crash finds the file and stops.
      if (existsSync(file)) return;
      const info = await stream.sendMail({ ...toNodemailer(m), disableFileAccess: true, disableUrlAccess: true });
      const tmp = `${file}.tmp`;
      writeFileSync(tmp, info.message as Buffer, { mode: 0o600 });
      renameSync(tmp, file);
    },
    close: () => stream.close(),
  };
}
