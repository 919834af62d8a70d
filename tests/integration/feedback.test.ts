import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEvents,
  feedbackLinks,
  feedbackResponses,
  trainingCheckins,
  trainingInvitations,
  trainingLessons,
  trainingSessions,
  users,
  type Role,
} from '../../db/schema/index.ts';
import type { Db } from '../../db/client.ts';
import { hashToken } from '../../src/server/auth/auth.tokens.ts';
import { feedbackCsv, feedbackCsvName } from '../../src/server/feedback/feedback.csv.ts';
import { feedbackScore } from '../../src/server/feedback/feedback.items.ts';
import { handleFillPost, linkPostPolicy } from '../../src/server/feedback/feedback.page.ts';
import { findForm, findLinkByToken, responsesOf, type TrainingRef } from '../../src/server/feedback/feedback.queries.ts';
import { feedbackSummaryForSession, feedbackSummaryForTrainer } from '../../src/server/feedback/feedback.results.ts';
import { parseFormOpening } from '../../src/server/feedback/feedback.schemas.ts';
import { closeFeedbackForm, createFeedbackLinks, formState, openFeedbackForm, submitFeedback } from '../../src/server/feedback/feedback.usecases.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { isAppError } from '../../src/server/shared/errors.ts';
import { newId } from '../../src/server/shared/ids.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const clock = createFixedClock('2026-11-25T08:00:00Z');
const timeZone = 'Asia/Shanghai';
let t: TestDatabase;
let db: Db;
let trainer: string;
let otherTrainer: string;
let admin: string;
let invitee: string;
let walkIn: string;
let stranger: string;
let training: TrainingRef;
let lessonId: string;
const meta = { actor: null, ip: null, requestId: null };

let n = 0;
async function person(roles: Role[], name = `学员${n + 1}`): Promise<string> {
  const id = newId();
  n++;
  await db.insert(users).values({ id, name, email: `fb${n}@example.cn`, roles, status: 'active', createdAt: clock.now(), updatedAt: clock.now() });
  return id;
}

async function newTraining(trainerId: string, title: string): Promise<TrainingRef> {
  const id = newId();
  const plan = { audienceKind: '成员单位用户', goals: '', content: '', organizer: '', assessment: '不考核', passScore: null, notes: '' };
  await db
    .insert(trainingSessions)
    .values({
      id,
      title,
      trainerId,
      form: 'lecture',
      status: 'published',
      audience: { userIds: [], unitIds: [], roles: [] },
      plan,
      createdById: admin,
      createdAt: clock.now(),
      updatedAt: clock.now(),
    });
  return { id, title, trainerId };
}

const ratingsForm = (ratings: number[], extra: Record<string, string> = {}) => ({
  ...Object.fromEntries(ratings.map((r, i) => [`r${i + 1}`, String(r)])),
  ...extra,
});
const all = (r: number) => Array.from({ length: 13 }, () => r);
const open = async (stage: 'first_day' | 'daily' | 'final' = 'final', at: Partial<Record<'opensAt' | 'closesAt', string>> = {}, on: TrainingRef = training) => {
  const opening = parseFormOpening({ stage, ...at }, { lessonIds: [lessonId], trainerIds: [trainer, otherTrainer], defaultTrainerId: on.trainerId, timeZone });
  return (await openFeedbackForm({ db, clock, training: on, opening, meta: { actor: { id: on.trainerId }, ip: null, requestId: null } })).form;
};
const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (isAppError(e)) return e.code;
    throw e;
  }
};

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.database.db;
  admin = await person(['admin'], '管理员');
  trainer = await person(['trainer'], '张讲师');
  otherTrainer = await person(['trainer'], '李讲师');
  invitee = await person(['member'], '王芳');
  walkIn = await person(['member'], '赵强');
  stranger = await person(['member'], '陌生人');
  training = await newTraining(trainer, '信用信息报送培训');
  lessonId = newId();
  await db
    .insert(trainingLessons)
    .values({
      id: lessonId,
      sessionId: training.id,
      topic: '报送操作',
      startsAt: clock.now(),
      endsAt: new Date(clock.now().getTime() + 3_600_000),
      checkinCode: '123456',
    });
  await db.insert(trainingInvitations).values({ sessionId: training.id, userId: invitee, invitedAt: clock.now() });
  await db.insert(trainingCheckins).values({ lessonId, userId: walkIn, method: 'code', at: clock.now() });
});
afterAll(async () => {
  await t?.drop();
});

describe('filling in the feedback form', () => {
  it('stores an invitee’s answer with the score sum × 100 / 91, and refuses a second one', async () => {
    const form = await open();
    const ratings = [7, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 5];
    const { response } = await submitFeedback({
      db,
      clock,
      form,
      respondent: { kind: 'user', userId: invitee },
      input: ratingsForm(ratings, { name: '王芳', comments: '希望增加实操' }),
    });
    expect(response.ratings).toEqual(ratings);
    expect(response.score).toBeCloseTo(7800 / 91, 4);
    expect(response.name).toBe('王芳');
    expect(await codeOf(submitFeedback({ db, clock, form, respondent: { kind: 'user', userId: invitee }, input: ratingsForm(all(1)) }))).toBe(
      'feedback.already_submitted',
    );
    expect((await responsesOf({ db, formIds: [form.id] })).map((r) => r.ratings)).toEqual([ratings]);
  });

  it('keeps one row when the same attendee submits twice at the same moment', async () => {
    const form = await open('daily');
    const submit = () => codeOf(submitFeedback({ db, clock, form, respondent: { kind: 'user', userId: walkIn }, input: ratingsForm(all(6)) }));
    const results = await Promise.all([submit(), submit(), submit()]);
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'feedback.already_submitted')).toHaveLength(2);
    expect(await db.select().from(feedbackResponses).where(eq(feedbackResponses.formId, form.id))).toHaveLength(1);
  });

  it('lets those who signed in to a lesson answer, but not someone who was neither invited nor there', async () => {
    const form = await open('first_day');
    expect(await codeOf(submitFeedback({ db, clock, form, respondent: { kind: 'user', userId: walkIn }, input: ratingsForm(all(5)) }))).toBe('ok');
    expect(await codeOf(submitFeedback({ db, clock, form, respondent: { kind: 'user', userId: stranger }, input: ratingsForm(all(5)) }))).toBe(
      'feedback.not_attendee',
    );
  });

  it('refuses a form with an item left out, naming the item', async () => {
    const form = await open('daily');
    const input: Record<string, string> = ratingsForm(all(5));
    delete input.r7;
    try {
      await submitFeedback({ db, clock, form, respondent: { kind: 'user', userId: invitee }, input });
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.fields).toEqual({ r7: '请为第 7 题打分（1–7 分）。' });
    }
    expect(await responsesOf({ db, formIds: [form.id] })).toEqual([]);
  });

  it('takes answers only between the opening and the closing time', async () => {
    const later = await open('final', { opensAt: '2026-11-26T09:00' });
    expect(formState(later, clock.now())).toBe('pending');
    expect(await codeOf(submitFeedback({ db, clock, form: later, respondent: { kind: 'user', userId: invitee }, input: ratingsForm(all(5)) }))).toBe(
      'feedback.not_open',
    );
    const now = await open('final');
    const { form: closed } = await closeFeedbackForm({ db, clock, form: now, meta });
    expect(formState(closed, clock.now())).toBe('closed');
    expect(await codeOf(submitFeedback({ db, clock, form: closed, respondent: { kind: 'user', userId: invitee }, input: ratingsForm(all(5)) }))).toBe(
      'feedback.closed',
    );
    const audited = await db.select().from(auditEvents).where(eq(auditEvents.targetId, now.id));
    expect(audited.map((e) => e.action).sort()).toEqual(['feedback.form_closed', 'feedback.form_opened']);
  });
});

describe('single-use links', () => {
  it('keeps only the hash of each token, and takes exactly one answer per link, even from simultaneous submits', async () => {
    const form = await open('final');
    const { tokens } = await createFeedbackLinks({ db, clock, form, count: 3, meta });
    expect(new Set(tokens).size).toBe(3);
    const stored = await db.select().from(feedbackLinks).where(eq(feedbackLinks.formId, form.id));
    expect(stored.map((l) => l.tokenHash).sort()).toEqual(tokens.map(hashToken).sort());
    expect(stored.some((l) => tokens.includes(l.tokenHash))).toBe(false);

    const link = (await findLinkByToken({ db, token: tokens[0]! }))!;
    const submit = () => codeOf(submitFeedback({ db, clock, form, respondent: { kind: 'link', linkId: link.id }, input: ratingsForm(all(4)) }));
    const results = await Promise.all([submit(), submit()]);
    expect(results.sort()).toEqual(['feedback.link_used', 'ok']);
    const rows = await responsesOf({ db, formIds: [form.id] });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ linkId: link.id, userId: null });
    expect((await findLinkByToken({ db, token: tokens[0]! }))!.usedAt).not.toBeNull();
    // The other links still work.
    const second = (await findLinkByToken({ db, token: tokens[1]! }))!;
    expect(await codeOf(submitFeedback({ db, clock, form, respondent: { kind: 'link', linkId: second.id }, input: ratingsForm(all(7)) }))).toBe('ok');
    expect(await findLinkByToken({ db, token: 'not-a-real-token-at-all-1234' })).toBeNull();
  });

  it('does not spend a link on a form with a missing item', async () => {
    const form = await open('daily');
    const { tokens } = await createFeedbackLinks({ db, clock, form, count: 1, meta });
    const link = (await findLinkByToken({ db, token: tokens[0]! }))!;
    expect(await codeOf(submitFeedback({ db, clock, form, respondent: { kind: 'link', linkId: link.id }, input: { r1: '5' } }))).toBe('validation.failed');
    expect((await findLinkByToken({ db, token: tokens[0]! }))!.usedAt).toBeNull();
  });
});

describe('the single-use link page', () => {
  const post = (body: Record<string, string>) => new Request('http://help.local/feedback/link/x', { method: 'POST', body: new URLSearchParams(body) });

  it('answers a link holder who posts too often from one address with 429, before touching the form', async () => {
    const form = await open('daily');
    const { tokens } = await createFeedbackLinks({ db, clock, form, count: 1, meta });
    const link = (await findLinkByToken({ db, token: tokens[0]! }))!;
    const statuses: number[] = [];
    for (let i = 0; i < linkPostPolicy.free + 1; i++) {
      const r = await handleFillPost({ request: post({ r1: '5' }), db, clock, form, respondent: { kind: 'link', linkId: link.id }, clientIp: '198.51.100.7' });
      statuses.push('done' in r ? 200 : r.status);
    }
    expect(statuses.slice(0, linkPostPolicy.free)).toEqual(Array.from({ length: linkPostPolicy.free }, () => 400));
    expect(statuses.at(-1)).toBe(429);
    // Another address is not held up, and what was typed comes back with the refusal.
    const other = await handleFillPost({
      request: post(ratingsForm(all(6), { comments: '很好' })),
      db,
      clock,
      form,
      respondent: { kind: 'link', linkId: link.id },
      clientIp: '198.51.100.8',
    });
    expect(other).toEqual({ done: true });
    const again = await handleFillPost({
      request: post({ r1: '3', comments: '再交一次' }),
      db,
      clock,
      form,
      respondent: { kind: 'link', linkId: link.id },
      clientIp: '198.51.100.8',
    });
    expect('done' in again ? null : again.values).toMatchObject({ r1: '3', comments: '再交一次' });
  });
});

describe('results', () => {
  it('sums up a training per form and overall, and a trainer across trainings only with their own forms', async () => {
    const other = await newTraining(otherTrainer, '异议处理培训');
    const theirs = await open('final', {}, other);
    await db.insert(trainingInvitations).values({ sessionId: other.id, userId: stranger, invitedAt: clock.now() });
    await submitFeedback({ db, clock, form: theirs, respondent: { kind: 'user', userId: stranger }, input: ratingsForm(all(3), { comments: '讲得太快' }) });

    const summary = await feedbackSummaryForSession({ db, sessionId: other.id });
    expect(summary.forms).toHaveLength(1);
    expect(summary.overall).toMatchObject({ count: 1, score: 42.9 });
    expect(summary.overall.items.every((i) => i.low && i.average === 3)).toBe(true);
    expect(summary.overall.comments.map((c) => c.text)).toEqual(['讲得太快']);

    const mine = await feedbackSummaryForSession({ db, sessionId: training.id });
    const scores = (await responsesOf({ db, formIds: mine.forms.map((f) => f.form.id) })).map((r) => r.score);
    expect(mine.overall.count).toBe(scores.length);
    expect(mine.overall.score).toBe(Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10);
    expect(mine.forms.map((f) => f.form.trainerName).every((name) => name === '张讲师')).toBe(true);

    const byTrainer = await feedbackSummaryForTrainer({ db, trainerId: otherTrainer });
    expect(byTrainer.forms.map((f) => f.form.trainingTitle)).toEqual(['异议处理培训']);
  });

  it('exports a form as CSV that Excel opens: BOM, a Chinese header, one row per response, formulas disarmed', async () => {
    const form = await open('final');
    const { tokens } = await createFeedbackLinks({ db, clock, form, count: 2, meta });
    for (const [i, token] of tokens.entries()) {
      const link = (await findLinkByToken({ db, token }))!;
      await submitFeedback({
        db,
        clock,
        form,
        respondent: { kind: 'link', linkId: link.id },
        input: ratingsForm(all(5 + i), { name: i ? '' : '=cmd|calc', comments: i ? '-1 太短了, 希望"延长"' : '' }),
      });
    }
    const csv = feedbackCsv({ responses: await responsesOf({ db, formIds: [form.id] }), timeZone });
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    const header = lines[0]!.split(',');
    expect(header[0]).toBe('提交时间');
    expect(header[1]).toBe('第1题 培训目标已达到？');
    expect(header[13]).toBe('第13题 整体上，您对这次课程的满意程度是？');
    expect(header.slice(14)).toEqual(['得分', '姓名', '其他意见']);
    expect(lines[1]).toBe(`2026年11月25日 16:00,${all(5).join(',')},${feedbackScore(all(5)).toFixed(1)},'=cmd|calc,`);
    expect(lines[2]).toBe(`2026年11月25日 16:00,${all(6).join(',')},${feedbackScore(all(6)).toFixed(1)},,"'-1 太短了, 希望""延长"""`);
    expect(feedbackCsvName((await findForm({ db, id: form.id }))!)).toBe('培训效果评估-信用信息报送培训-结业.csv');
  });
});
