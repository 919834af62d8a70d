import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { Logger } from '../shared/logger.ts';
import { recordInbound } from './inbound.queries.ts';
import { acceptsRecipient, receiveMail, type InboundDeps } from './inbound.usecases.ts';

export interface InboundServer {
  /** The port it listens on (the given one, or the one chosen for port 0). */
  port: number;
  close(): Promise<void>;
}

const smtpError = (responseCode: number, message: string) => Object.assign(new Error(message), { responseCode });

const envelopeFrom = (session: SMTPServerSession) => (session.envelope.mailFrom ? session.envelope.mailFrom.address : '');

/**
 * Receives mail on INBOUND_SMTP_PORT with smtp-server: no AUTH (anyone may
 * send mail to Dayi, as to any mail server) and no STARTTLS (no certificate;
 * it sits on the intranet behind the organisation's mail relay). The size
 * limit is advertised (SIZE) and enforced while the data streams in.
 * Recipients are checked at RCPT: only valid reply addresses and the general
 * address are accepted, anything else is refused with 550. A mail is
 * answered 250 only once it is recorded; a failure answers 451 so the sending
 * server tries again (a Message-ID seen before is then recorded as a duplicate).
 *
 * `deps` is read for every message, so it sees the runtime as it is then.
 */
export async function startInboundServer({
  deps,
  host,
  port,
  maxBytes,
  log,
}: {
  deps: () => InboundDeps;
  host: string;
  port: number;
  maxBytes: number;
  log: Logger;
}): Promise<InboundServer> {
  const server = new SMTPServer({
    name: 'dayi',
    banner: 'Dayi inbound mail',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: maxBytes,
    logger: false,
    maxClients: 50,
    onRcptTo(address, session, callback) {
      acceptsRecipient(deps(), address.address).then(
        (ok) => {
          if (ok) return callback();
          log.warn({ to: address.address, from: envelopeFrom(session), remote: session.remoteAddress }, 'inbound mail refused: unknown or forged address');
          callback(smtpError(550, '5.1.1 No such recipient here'));
        },
        (err: unknown) => {
          log.error({ err }, 'inbound mail: recipient check failed');
          callback(smtpError(451, '4.3.0 Temporary failure, try again later'));
        },
      );
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // Over the limit the rest is read and dropped: the client is told at the end of DATA.
        if (size <= maxBytes) chunks.push(chunk);
      });
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        const recipients = session.envelope.rcptTo.map((r) => r.address);
        const from = envelopeFrom(session);
        if (stream.sizeExceeded || size > maxBytes) {
          const d = deps();
          log.warn({ from, size, maxBytes }, 'inbound mail refused: too large');
          recordInbound(d.db, { messageId: null, fromAddress: from, toAddress: recipients[0] ?? '', subject: '', size, outcome: 'rejected', reason: `too large: ${size} bytes, limit ${maxBytes}` }, d.clock.now())
            .catch((err: unknown) => log.error({ err }, 'inbound mail: could not record a refused message'))
            .finally(() => callback(smtpError(552, `5.3.4 Message exceeds the fixed maximum size of ${maxBytes} bytes`)));
          return;
        }
        receiveMail(deps(), { envelopeFrom: from, recipients, raw: Buffer.concat(chunks) }).then(
          () => callback(null, 'Message received'),
          (err: unknown) => {
            log.error({ err }, 'inbound mail: could not process a message');
            callback(smtpError(451, '4.3.0 Temporary failure, try again later'));
          },
        );
      });
    },
  });
  server.on('error', (err) => log.warn({ err }, 'inbound SMTP connection error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.server.address() as AddressInfo).port;
  log.info(`receiving mail on ${host}:${bound} (SMTP)`);
  return { port: bound, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
