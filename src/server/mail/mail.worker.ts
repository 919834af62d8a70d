import type { Db } from '../../../db/client.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { dueOutboxMail } from './mail.outbox.ts';

/** How often an idle worker looks for due mail: what a row waits at most when nobody woke the worker (another process queued it, or this one died before sending). */
export const MAIL_SWEEP_MS = 1000;
/** A wake comes from inside the caller's transaction: look a moment later, when it has usually committed (the sweep catches the rest). */
const WAKE_DELAY_MS = 20;
/** Rows fetched per look, and sent side by side (the SMTP transport pools five connections). */
const BATCH = 50;
const CONCURRENCY = 5;

export interface OutboxWorker {
  /** A mail is being queued: look for due mail shortly instead of at the next sweep. */
  wake(): void;
  /** Stops looking and waits (at most `timeoutMs`) for the mail being sent. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Delivers the mail outbox in this process: the table is the queue, so a
 * mail committed with its change is delivered even if the process that
 * queued it was killed before it could send — every worker sweeps for due
 * rows. `deliver` sends one row and must be safe to call for any row at any
 * time (deliverOutboxMail: it claims the row first, so when several
 * processes sweep, one sends). A burst is worked in batches back to back;
 * when a batch comes back short the worker rests until woken or the next sweep.
 */
export function startOutboxWorker({
  db,
  deliver,
  log,
  clock = systemClock,
  sweepMs = MAIL_SWEEP_MS,
}: {
  db: Db;
  deliver: (id: string) => Promise<unknown>;
  log: Logger;
  clock?: Clock;
  sweepMs?: number;
}): OutboxWorker {
  let stopped = false;
  let running: Promise<void> | null = null;
  let woken = false;
  let timer: NodeJS.Timeout | null = null;
  let timerAt = 0;
  let lastFailureLogged = 0;

  /** Looks in `ms` unless a look is due sooner already (so a stream of wakes cannot keep putting it off). */
  function lookIn(ms: number) {
    if (stopped || running) return;
    const at = Date.now() + ms;
    if (timer && timerAt <= at) return;
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(run, ms);
    // Nothing to do is no reason to keep a process (a CLI, a test) alive.
    timer.unref();
  }

  function run() {
    timer = null;
    if (stopped || running) return;
    running = pass()
      .catch((err: unknown) => {
        // A database outage fails every sweep: say so once a minute, not every second.
        if (Date.now() - lastFailureLogged > 60_000) log.error({ err }, 'mail outbox worker could not look for due mail; retrying');
        lastFailureLogged = Date.now();
      })
      .finally(() => {
        running = null;
        lookIn(woken ? 0 : sweepMs);
      });
  }

  async function pass() {
    for (;;) {
      woken = false;
      const ids = await dueOutboxMail({ db, now: clock.now(), limit: BATCH });
      let next = 0;
      let delivered = false;
      const lane = async () => {
        for (let id = ids[next++]; id !== undefined && !stopped; id = ids[next++]) {
          // A failed attempt is recorded on its row (and logged) by `deliver`; the row's retry time brings it back.
          await deliver(id).then(
            () => (delivered = true),
            (err: unknown) => log.debug({ err, id }, 'mail delivery attempt failed'),
          );
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, lane));
      // Back to back while there is more; after a batch that only failed, rest rather than spin.
      if (stopped || !delivered || (ids.length < BATCH && !woken)) return;
    }
  }

  lookIn(0);
  return {
    wake() {
      if (running) woken = true;
      else lookIn(WAKE_DELAY_MS);
    },
    async stop(timeoutMs = 10_000) {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      if (running) await Promise.race([running, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    },
  };
}
