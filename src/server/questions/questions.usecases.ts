import { createHash } from 'node:crypto';
import { and, eq, or } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { idempotencyKeys, questionEvents, questions, units, users, type QuestionChannel } from '../../../db/schema/index.ts';
import { takeAttempt, type LimitPolicy } from '../auth/auth.ratelimit.ts';
import type { AuthUser } from '../auth/auth.sessions.ts';
import { newToken } from '../auth/auth.tokens.ts';
import type { ReplyAddress } from '../inbound/inbound.address.ts';
import type { Jobs } from '../jobs/jobs.ts';
import { messageIdFor, queueMail } from '../mail/mail.outbox.ts';
import type { Clock } from '../shared/clock.ts';
import { createValidationError, fieldsOf, isAppError } from '../shared/errors.ts';
import { nextHumanNumber } from '../shared/human-number.ts';
import { newId } from '../shared/ids.ts';
import type { PendingUpload } from '../uploads/uploads.pending.ts';
import { withPlacedFiles } from '../uploads/uploads.store.ts';
import { checkAttachments, saveAttachments, type AttachmentBatch, type AttachmentSettings, type CheckedAttachment } from './attachments.usecases.ts';
import { createAnonymousAskClosedError, createIdempotencyMismatchError } from './questions.errors.ts';
import { planClocks } from '../escalation/escalation.plan.ts';
import { scheduleClocks } from '../escalation/escalation.usecases.ts';
import { routeNewQuestion } from '../roster/routing.ts';
import { receiptMail } from './questions.mail.ts';
import { askInputSchema, type AskInput } from './questions.schemas.ts';

/** What asking needs: the database, the queue and mail, and where links point. */
export interface QuestionDeps {
  db: Db;
  clock: Clock;
  jobs: Jobs;
  mailFrom: string;
  /** PUBLIC_URL or the address fixed at start: the base of tracking links. */
  baseUrl: string;
  timeZone: string;
  /** ASK_RATE_LIMIT: questions per client address (and per e-mail) an hour; 0 = no limit. */
  askRateLimit: number;
  /** ASK_ANONYMOUS: whether people without an account may ask. */
  askAnonymous: boolean;
  /** DUTY_FALLBACK_EMAIL: alerted with the admins when nobody is on duty. */
  dutyFallbackEmail: string | null;
  /** The receipt's Reply-To, when Dayi receives mail (INBOUND_SMTP_PORT). */
  replyAddress?: ReplyAddress;
}

export interface CreatedQuestion {
  id: string;
  number: string;
  trackingUrl: string;
}

export const trackingUrlFor = (baseUrl: string, token: string) => `${baseUrl.replace(/\/$/, '')}/track/${token}`;

const askPolicy = (perHour: number): LimitPolicy => ({ free: perHour, windowMs: 3_600_000, baseDelayMs: 60_000, maxDelayMs: 3_600_000 });

/**
 * Who the question is from. A signed-in asker asks for themselves (their unit);
 * an engineer recording a phone call names the caller (an account, or just
 * the contact details typed in); anyone else asks with an e-mail address.
 */
export type Asker =
  | { kind: 'user'; user: AuthUser }
  | { kind: 'anonymous' }
  | { kind: 'phone'; engineer: AuthUser; callerId: string | null };

async function resolveContact(db: Db, input: AskInput, asker: Asker) {
  const caller = asker.kind === 'user' ? asker.user.id : asker.kind === 'phone' ? asker.callerId : null;
  if (caller) {
    const [u] = await db.select().from(users).where(eq(users.id, caller));
    if (!u) throw createValidationError({ callerId: '所选来电用户不存在。' });
    return { askerId: u.id, unitId: u.unitId, unitName: null, contactName: input.name || u.name };
  }
  // No account: the unit as typed, matched to a known unit by code or exact name.
  const typed = input.unit ?? '';
  const [unit] = typed ? await db.select({ id: units.id }).from(units).where(or(eq(units.code, typed), eq(units.name, typed))) : [];
  return { askerId: null, unitId: unit?.id ?? null, unitName: unit ? null : typed || null, contactName: input.name || input.email.split('@')[0]! };
}

/**
 * Asks a question: validates, limits, and in one transaction writes the
 * question, its first timeline event and the receipt mail (with the private
 * tracking link), so none exists without the others. With an idempotency key
 * a retry — sequential or concurrent — gets the first result back instead of a
 * second question.
 */
export async function createQuestion(
  deps: QuestionDeps & {
    input: unknown;
    asker: Asker;
    channel: QuestionChannel;
    clientIp: string | null;
    idempotencyKey?: string | null;
    /** The files posted with the ask form, checked here with the text so every problem shows at once. */
    attachments?: { upload: PendingUpload; settings: AttachmentSettings };
  },
): Promise<{ question: CreatedQuestion; replayed: boolean }> {
  const parsed = askInputSchema.safeParse(deps.input);
  let files: CheckedAttachment[] = [];
  let fileFields: Record<string, string> = {};
  try {
    if (deps.attachments) files = await checkAttachments(deps.attachments.upload, deps.attachments.settings);
  } catch (e) {
    if (!isAppError(e)) throw e;
    fileFields = e.fields ?? {};
  }
  if (!parsed.success || Object.keys(fileFields).length) throw createValidationError({ ...(parsed.success ? {} : fieldsOf(parsed.error)), ...fileFields });
  const input = parsed.data;
  const batch: AttachmentBatch | undefined = deps.attachments && files.length ? { checked: files, filesDir: deps.attachments.settings.filesDir, fromAsker: true } : undefined;
  if (deps.asker.kind === 'anonymous' && !deps.askAnonymous) throw createAnonymousAskClosedError();
  const { db, clock } = deps;
  const key = deps.idempotencyKey ? { key: deps.idempotencyKey, hash: createHash('sha256').update(JSON.stringify(input)).digest('hex') } : null;
  if (key) {
    const earlier = await replay(db, key);
    if (earlier) return { question: earlier, replayed: true };
  }
  if (deps.askRateLimit > 0 && deps.asker.kind !== 'phone') {
    const policy = askPolicy(deps.askRateLimit);
    await takeAttempt({ db, clock, key: `ask:email:${input.email}`, policy });
    if (deps.clientIp) await takeAttempt({ db, clock, key: `ask:ip:${deps.clientIp}`, policy });
  }
  const contact = await resolveContact(db, input, deps.asker);
  // The day's number is taken in its own statement: inside the transaction its counter row would stay
  // locked until commit and every question of the site would wait for the one before. A failed insert
  // leaves a gap in the day's numbers, never a duplicate.
  const { number } = await nextHumanNumber({ db, scope: 'question', now: clock.now(), timeZone: deps.timeZone });
  const token = newToken();
  const trackingUrl = trackingUrlFor(deps.baseUrl, token);
  try {
    const question = await withPlacedFiles(batch?.filesDir ?? '', (placed) => db.transaction(async (tx) => {
      const created = await insertQuestion(tx, deps, { number, input, contact, token, trackingUrl, files: batch ? { batch, placed } : null });
      // Saved, on the timeline and routed by the duty roster in the same moment.
      const severity = input.kind === 'fault' ? (input.severity ?? null) : null;
      await routeNewQuestion(tx, deps, { id: created.id, number, title: input.title, kind: input.kind, severity });
      // The clocks start at arrival: due times stored, each warning and breach a job at its minute.
      await scheduleClocks(tx, deps, { id: created.id, firstRepliedAt: null }, await planClocks(tx, { timeZone: deps.timeZone, kind: input.kind, severity, from: deps.clock.now() }));
      if (key) {
        // Last, so the key's row is locked for the shortest time: a concurrent retry waits here for this
        // transaction, then finds the key taken, and everything this one wrote stands alone.
        const [claimed] = await tx
          .insert(idempotencyKeys)
          .values({ scope: 'questions.create', key: key.key, requestHash: key.hash, questionId: created.id, response: { ...created }, createdAt: clock.now() })
          .onConflictDoNothing()
          .returning({ key: idempotencyKeys.key });
        // Another request with this key got here first (and has committed): undo ours, answer with its result.
        if (!claimed) throw new KeyTaken();
      }
      return created;
    }));
    return { question, replayed: false };
  } catch (e) {
    if (!(e instanceof KeyTaken) || !key) throw e;
    const earlier = await replay(db, key);
    if (!earlier) throw e;
    return { question: earlier, replayed: true };
  }
}

class KeyTaken extends Error {}

async function replay(db: Db, key: { key: string; hash: string }): Promise<CreatedQuestion | null> {
  const [row] = await db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.scope, 'questions.create'), eq(idempotencyKeys.key, key.key)));
  if (!row?.response) return null;
  if (row.requestHash !== key.hash) throw createIdempotencyMismatchError();
  return row.response as unknown as CreatedQuestion;
}

async function insertQuestion(
  tx: Tx,
  deps: QuestionDeps & { asker: Asker; channel: QuestionChannel },
  {
    number,
    input,
    contact,
    token,
    trackingUrl,
    files,
  }: {
    number: string;
    input: AskInput;
    contact: Awaited<ReturnType<typeof resolveContact>>;
    token: string;
    trackingUrl: string;
    files: { batch: AttachmentBatch; placed: string[] } | null;
  },
): Promise<CreatedQuestion> {
  const now = deps.clock.now();
  const id = newId();
  const recordedBy = deps.asker.kind === 'phone' ? deps.asker.engineer : null;
  // The receipt's Message-ID is known before it is queued, so the question is written once, with its thread root.
  const receiptId = newId();
  await tx.insert(questions).values({
    id,
    number,
    kind: input.kind,
    severity: input.kind === 'fault' ? (input.severity ?? null) : null,
    title: input.title,
    body: input.body,
    status: 'new',
    channel: deps.channel,
    ...contact,
    contactEmail: input.email,
    contactPhone: input.phone || null,
    recordedById: recordedBy?.id ?? null,
    trackingToken: token,
    threadMessageId: messageIdFor(receiptId, deps.mailFrom),
    createdAt: now,
    updatedAt: now,
  });
  const eventId = newId();
  await tx.insert(questionEvents).values({
    id: eventId,
    questionId: id,
    kind: 'submitted',
    actorId: recordedBy?.id ?? contact.askerId,
    actorLabel: recordedBy || contact.askerId ? null : contact.contactName,
    data: { channel: deps.channel },
    createdAt: now,
  });
  if (files) await saveAttachments(tx, files.batch, files.placed, { questionId: id, eventId, internal: false, now });
  const mail = receiptMail(
    { number, title: input.title, contactName: contact.contactName, contactEmail: input.email, threadMessageId: null, replyTo: deps.replyAddress?.({ id, number }) ?? null },
    { trackingUrl },
  );
  await queueMail({ tx, jobs: deps.jobs, clock: deps.clock, from: deps.mailFrom, mail, id: receiptId });
  // FAQ clustering: the question joins its best match's cluster once this commits.
  await deps.jobs.sendMany('faq.assign', [{ data: { id } }], { tx });
  return { id, number, trackingUrl };
}
