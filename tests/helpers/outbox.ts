import { deliverOutboxMail } from '../../src/server/mail/mail.outbox.ts';
import { createMailTransport } from '../../src/server/mail/mail.transport.ts';
import { startJobs } from '../../src/server/jobs/jobs.ts';
import type { Clock } from '../../src/server/shared/clock.ts';
import { createTestDatabase } from './db.ts';
import { silentLog } from './runtime.ts';
import { startSmtpServer } from './smtp.ts';

/**
 * A test file's mail world: its own database, a real SMTP server, and the
 * outbox worker delivering to it (on the test's clock), as the server does.
 * `stop` ends all of it.
 */
export async function startDeliveringOutbox({ from, clock }: { from: string; clock: Clock }) {
  const t = await createTestDatabase();
  const smtp = await startSmtpServer();
  const transport = createMailTransport({ kind: 'smtp', url: smtp.url });
  const jobs = await startJobs({
    database: t.database,
    log: silentLog,
    pollingIntervalSeconds: 0.5,
    clock,
    handlers: {
      'mail.deliver': async (data) => {
        await deliverOutboxMail({ db: t.database.db, transport, clock, from, id: String(data.id) });
      },
    },
  });
  return {
    t,
    smtp,
    transport,
    jobs,
    async stop() {
      await jobs.stop();
      transport.close();
      await smtp.close();
      await t.drop();
    },
  };
}
