import QRCode from 'qrcode';
import type { Db } from '../../../db/client.ts';
import type { RequestMeta } from '../audit/audit.usecases.ts';
import { takeAttempt, type LimitPolicy } from '../auth/auth.ratelimit.ts';
import type { Clock } from '../shared/clock.ts';
import { asString, formProblem, readForm } from '../shared/forms.ts';
import { activeTrainers, lessonsOf, userName, type FeedbackFormRow, type TrainingRef } from './feedback.queries.ts';
import { parseFormOpening, parseLinkCount } from './feedback.schemas.ts';
import { closeFeedbackForm, createFeedbackLinks, openFeedbackForm, submitFeedback, type Respondent } from './feedback.usecases.ts';

/**
 * What the feedback pages do with a POST: read the form, call one use case,
 * and answer with where to go next or what to show again.
 */

/** A refused post: the message, per-field messages, and what was typed, to fill the form in again. */
export interface PageProblem {
  message: string;
  fields: Record<string, string>;
  values: Record<string, string>;
  status: number;
}

/** Posts to the single-use link page, per client address: a classroom behind one address may all answer within minutes. */
export const linkPostPolicy: LimitPolicy = { free: 120, windowMs: 10 * 60_000, baseDelayMs: 10_000, maxDelayMs: 10 * 60_000 };

const flat = (form: Record<string, string | string[]>) => Object.fromEntries(Object.entries(form).map(([k, v]) => [k, asString(v)]));

/** A filled-in form posted by an attendee or a link holder; link posts count against the address's limit. */
export async function handleFillPost({
  request,
  db,
  clock,
  form,
  respondent,
  clientIp,
}: {
  request: Request;
  db: Db;
  clock: Clock;
  form: FeedbackFormRow;
  respondent: Respondent;
  clientIp: string | null;
}): Promise<{ done: true } | PageProblem> {
  const values = flat(await readForm(request));
  try {
    if (respondent.kind === 'link') await takeAttempt({ db, clock, key: `feedback-link:${clientIp ?? 'unknown'}`, policy: linkPostPolicy });
    await submitFeedback({ db, clock, form, respondent, input: values });
    return { done: true };
  } catch (e) {
    return { ...formProblem(e), values };
  }
}

/** The choices of the "open a form" form: the training's lessons and the active trainers. */
export async function openingChoices({ db, training }: { db: Db; training: TrainingRef }) {
  const [lessons, trainers] = await Promise.all([lessonsOf({ db, sessionId: training.id }), activeTrainers({ db })]);
  // The training's own trainer first, even when their account has no trainer role (an admin teaching).
  const own = trainers.find((u) => u.id === training.trainerId) ?? { id: training.trainerId, name: (await userName({ db, id: training.trainerId })) ?? '' };
  return { lessons, trainers: [own, ...trainers.filter((u) => u.id !== own.id)] };
}

/** Opens a form from the training's feedback page; on success, the new form's page. */
export async function handleOpenPost({
  request,
  db,
  clock,
  timeZone,
  training,
  meta,
}: {
  request: Request;
  db: Db;
  clock: Clock;
  timeZone: string;
  training: TrainingRef;
  meta: RequestMeta & { actor: { id: string } };
}): Promise<{ redirect: string } | PageProblem> {
  const values = flat(await readForm(request));
  try {
    const { lessons, trainers } = await openingChoices({ db, training });
    const opening = parseFormOpening(values, {
      lessonIds: lessons.map((l) => l.id),
      trainerIds: trainers.map((t) => t.id),
      defaultTrainerId: training.trainerId,
      timeZone,
    });
    const { form } = await openFeedbackForm({ db, clock, training, opening, meta });
    return { redirect: `/training/${training.id}/feedback/${form.id}?done=opened` };
  } catch (e) {
    return { ...formProblem(e), values };
  }
}

/** Closes a form from its results page. */
export async function handleClosePost({
  db,
  clock,
  form,
  meta,
}: {
  db: Db;
  clock: Clock;
  form: FeedbackFormRow;
  meta: RequestMeta;
}): Promise<{ redirect: string }> {
  await closeFeedbackForm({ db, clock, form, meta });
  return { redirect: `/training/${form.sessionId}/feedback/${form.id}?done=closed` };
}

/** Makes the asked number of single-use links and returns them, with a QR code each, to show once. */
export async function handleLinksPost({
  request,
  db,
  clock,
  form,
  baseUrl,
  meta,
}: {
  request: Request;
  db: Db;
  clock: Clock;
  form: FeedbackFormRow;
  baseUrl: string;
  meta: RequestMeta;
}): Promise<{ links: { url: string; qr: string }[] } | PageProblem> {
  const values = flat(await readForm(request));
  try {
    const { tokens } = await createFeedbackLinks({ db, clock, form, count: parseLinkCount(values.count ?? ''), meta });
    const base = baseUrl.replace(/\/$/, '');
    const links = await Promise.all(
      tokens.map(async (token) => ({ url: `${base}/feedback/link/${token}`, qr: await qrSvg(`${base}/feedback/link/${token}`) })),
    );
    return { links };
  } catch (e) {
    return { ...formProblem(e), values };
  }
}

/** A QR code of `text` as SVG markup (no scripts, only paths), for printing beside its address. */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
}
