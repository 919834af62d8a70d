import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announcements, mailOutbox, questions, trainingCheckins, trainingInvitations, units, users, type Role } from '../../db/schema/index.ts';
import type { AuthUser } from '../../src/server/auth/auth.sessions.ts';
import { startJobs, type Jobs } from '../../src/server/jobs/jobs.ts';
import { listDeskQueue, timeline } from '../../src/server/questions/questions.queries.ts';
import type { ChangeDeps } from '../../src/server/questions/questions.workflow.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { newId } from '../../src/server/shared/ids.ts';
import { createRetake, recordAssessment, retakesNeeded } from '../../src/server/training/training.assessment.ts';
import { checkInWithCode, saveChecklist } from '../../src/server/training/training.checkin.ts';
import { publishNotice, respondToInvitation } from '../../src/server/training/training.notice.ts';
import { passedInRetakes, trainingArchive, trainingFigures } from '../../src/server/training/training.queries.ts';
import { answerClassQuestion, classQuestionsOf, recordClassQuestion } from '../../src/server/training/training.questions.ts';
import { addLesson, createTraining, findTraining, updatePlan, type TrainingRow } from '../../src/server/training/training.usecases.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { silentLog } from '../helpers/runtime.ts';

// 09:00 on 1 December in Asia/Shanghai; the lessons below are on the 10th and 11th.
const clock = createFixedClock('2026-12-01T01:00:00Z');
const timeZone = 'Asia/Shanghai';
let t: TestDatabase;
let jobs: Jobs;
let deps: ChangeDeps;
let trainer: AuthUser;
let admin: AuthUser;
let engineer: AuthUser;
let unitId: string;

let n = 0;
async function person(roles: Role[], { status = 'active', unit = null }: { status?: 'active' | 'disabled'; unit?: string | null } = {}): Promise<AuthUser> {
  const user = { id: newId(), name: `学员${++n}`, email: `tr${n}@example.cn`, roles, engineerTier: roles.includes('engineer') ? 1 : null, isUnitContact: false, unitId: unit, status };
  await t.database.db.insert(users).values({ ...user, createdAt: clock.now(), updatedAt: clock.now() });
  return user;
}

const plan = (over: Record<string, unknown> = {}) => ({
  title: '信用信息报送培训',
  form: 'lecture',
  audienceKind: '成员单位用户',
  goals: '学会报送和撤回信用信息',
  content: '报送流程；常见错误',
  organizer: '市发展改革委',
  assessment: '上机操作',
  passScore: '60',
  ...over,
});

/** A draft with two lessons (10 and 11 December, 09:00–12:00 local), for `audience`. */
async function draft(audience: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<TrainingRow> {
  const { training } = await createTraining({ ...deps, actor: trainer, input: plan({ ...audience, ...extra }) });
  await addLesson({ ...deps, training, input: { topic: '报送', startsAt: '2026-12-10T09:00', endsAt: '2026-12-10T12:00', place: '三楼会议室' } });
  await addLesson({ ...deps, training, input: { topic: '撤回', startsAt: '2026-12-11T09:00', endsAt: '2026-12-11T12:00', place: '三楼会议室' } });
  return training;
}
async function published(audience: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<TrainingRow> {
  const d = await draft(audience, extra);
  return (await publishNotice({ ...deps, training: d, version: d.version, authorId: trainer.id })).training;
}
const lessonsOfTraining = async (training: TrainingRow) => (await trainingArchive({ db: deps.db, training })).lessons;

beforeAll(async () => {
  t = await createTestDatabase();
  jobs = await startJobs({ database: t.database, log: silentLog });
  deps = { db: t.database.db, clock, jobs, mailFrom: 'Dayi <dayi@example.cn>', baseUrl: 'http://help.local', timeZone };
  unitId = newId();
  await t.database.db.insert(units).values({ id: unitId, name: '示例信用中心', code: 'XYZX', createdAt: clock.now() });
  trainer = { ...(await person(['trainer'])), name: '赵讲师' };
  await t.database.db.update(users).set({ name: '赵讲师' }).where(eq(users.id, trainer.id));
  admin = await person(['admin']);
  engineer = await person(['engineer']);
});
afterAll(async () => {
  await jobs?.stop();
  await t?.drop();
});

describe('the notice (培训通知)', () => {
  it('invites every active user of the audience once — named users, the units’ users, the roles’ users — mails each and announces the training', async () => {
    const named = await person(['member']);
    const inUnit = await person(['member'], { unit: unitId });
    const both = await person(['member'], { unit: unitId });
    const disabled = await person(['member'], { unit: unitId, status: 'disabled' });
    const training = await published({ audienceEmails: `${named.email}\n${both.email}`, audienceUnitIds: [unitId] });
    const invited = await t.database.db.select().from(trainingInvitations).where(eq(trainingInvitations.sessionId, training.id));
    expect(invited.map((i) => i.userId).sort()).toEqual([named.id, inUnit.id, both.id].sort());
    expect(invited.some((i) => i.userId === disabled.id)).toBe(false);
    const mails = (await t.database.db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'training.notice'))).filter((m) => m.subject.includes(training.title));
    for (const u of [named, inUnit, both]) expect(mails.filter((m) => m.to.includes(u.email))).toHaveLength(1);
    expect(mails[0]!.text).toContain('2026年12月10日 09:00–12:00 · 三楼会议室 · 报送');
    expect(mails[0]!.text).toContain('请在 2026年12月7日 09:00 前登录答疑确认是否参加');
    const [note] = await t.database.db.select().from(announcements).where(eq(announcements.trainingSessionId, training.id));
    expect(note).toMatchObject({ kind: 'training', access: 'member', title: '培训通知：信用信息报送培训' });
    expect(note!.expiresAt.toISOString()).toBe('2026-12-11T04:00:00.000Z');
    // Everyone signed in sees the announcement; the link goes to the page where an invitee finds their invitation.
    expect(note!.body).toBe('2026年12月10日 09:00 开始，共 2 个场次。受邀人员请在 2026年12月7日 09:00 前在[“培训”页](/training)确认是否参加。');
  });

  it('refuses to publish a draft without lessons, and a second publish from a page opened before the first', async () => {
    const member = await person(['member']);
    const { training } = await createTraining({ ...deps, actor: trainer, input: plan({ audienceEmails: member.email }) });
    await expect(publishNotice({ ...deps, training, version: training.version, authorId: trainer.id })).rejects.toMatchObject({ fields: { lessons: '请先安排至少一个场次，再发布通知。' } });
    const withLessons = await draft({ audienceEmails: member.email });
    await publishNotice({ ...deps, training: withLessons, version: withLessons.version, authorId: trainer.id });
    await expect(publishNotice({ ...deps, training: withLessons, version: withLessons.version, authorId: trainer.id })).rejects.toMatchObject({ code: 'training.stale' });
    // Nobody was invited twice.
    expect(await t.database.db.select().from(trainingInvitations).where(eq(trainingInvitations.sessionId, withLessons.id))).toHaveLength(1);
  });

  it('keeps two trainers editing one draft from overwriting each other (the second save is refused as stale)', async () => {
    const d = await draft({});
    await updatePlan({ ...deps, actor: trainer, training: d, version: d.version, input: plan({ title: '第一位讲师改的名称' }) });
    await expect(updatePlan({ ...deps, actor: admin, training: d, version: d.version, input: plan({ title: '第二位改的名称' }) })).rejects.toMatchObject({ code: 'training.stale', status: 409 });
    expect((await findTraining({ db: deps.db, id: d.id }))!.title).toBe('第一位讲师改的名称');
    // A form whose version is not a number (tampered with, or cut off) reads as out of date too, never as a server error.
    await expect(updatePlan({ ...deps, actor: trainer, training: d, version: Number('abc'), input: plan() })).rejects.toMatchObject({ code: 'training.stale' });
  });

  it('names the e-mail addresses that match no active account', async () => {
    await expect(createTraining({ ...deps, actor: trainer, input: plan({ audienceEmails: 'nobody@example.cn' }) })).rejects.toMatchObject({
      fields: { audienceEmails: '以下邮箱没有对应的在用账号：nobody@example.cn。' },
    });
  });
});

describe('attendance confirmation window', () => {
  it('accepts confirmations and changes of mind until three days before the first lesson, then refuses with the deadline', async () => {
    const member = await person(['member']);
    const training = await published({ audienceEmails: member.email });
    const answer = (a: 'confirm' | 'decline') => respondToInvitation({ ...deps, training, userId: member.id, answer: a });
    const row = async () => (await t.database.db.select().from(trainingInvitations).where(and(eq(trainingInvitations.sessionId, training.id), eq(trainingInvitations.userId, member.id))))[0]!;
    await answer('confirm');
    expect((await row()).confirmedAt).toEqual(clock.now());
    await answer('decline');
    expect(await row()).toMatchObject({ confirmedAt: null, declinedAt: clock.now() });
    clock.set('2026-12-07T00:59:00Z'); // 08:59 on the 7th: one minute left
    await answer('confirm');
    clock.set('2026-12-07T01:00:00Z');
    await expect(answer('decline')).rejects.toMatchObject({ code: 'training.response_closed', message: '确认参加的截止时间（2026年12月7日 09:00）已过，如需变更请直接联系培训讲师。' });
    expect((await row()).declinedAt).toBeNull();
    clock.set('2026-12-01T01:00:00Z');
  });

  it('refuses someone who was not invited, and a confirmation beyond the capacity', async () => {
    const [a, b, outsider] = [await person(['member']), await person(['member']), await person(['member'])];
    const training = await published({ audienceEmails: `${a.email} ${b.email}` }, { capacity: '1' });
    await expect(respondToInvitation({ ...deps, training, userId: outsider.id, answer: 'confirm' })).rejects.toMatchObject({ code: 'training.not_invited' });
    await respondToInvitation({ ...deps, training, userId: a.id, answer: 'confirm' });
    await expect(respondToInvitation({ ...deps, training, userId: b.id, answer: 'confirm' })).rejects.toMatchObject({ code: 'training.full' });
    // Declining is always possible, and frees the seat.
    await respondToInvitation({ ...deps, training, userId: a.id, answer: 'decline' });
    await respondToInvitation({ ...deps, training, userId: b.id, answer: 'confirm' });
  });
});

describe('sign-in window (签到)', () => {
  it('takes the room’s code from 30 minutes before the lesson until its end, once however often it is typed', async () => {
    const member = await person(['member']);
    const training = await published({ audienceEmails: member.email });
    const [first] = await lessonsOfTraining(training);
    const signIn = (code: string = first!.checkinCode) => checkInWithCode({ ...deps, userId: member.id, code });
    clock.set('2026-12-10T00:29:00Z'); // 08:29 local, 31 minutes before
    await expect(signIn()).rejects.toMatchObject({ code: 'training.checkin_closed', message: '现在不在签到时间内。本场次的签到时间为 2026年12月10日 08:30 至 2026年12月10日 12:00。' });
    clock.set('2026-12-10T00:30:00Z');
    expect(await signIn()).toMatchObject({ already: false, walkIn: false });
    expect(await signIn()).toMatchObject({ already: true });
    expect(await t.database.db.select().from(trainingCheckins).where(eq(trainingCheckins.userId, member.id))).toHaveLength(1);
    clock.set('2026-12-10T04:01:00Z'); // 12:01, after the end
    await expect(signIn()).rejects.toMatchObject({ code: 'training.checkin_closed' });
    await expect(signIn('12345')).rejects.toMatchObject({ fields: { code: '请输入现场显示的 6 位数字签到码。' } });
    clock.set('2026-12-01T01:00:00Z');
  });

  it('records someone signed in but not invited as a walk-in, and lets the trainer complete the list', async () => {
    const [invitee, walkIn, absent] = [await person(['member']), await person(['member']), await person(['member'])];
    const training = await published({ audienceEmails: `${invitee.email} ${absent.email}` });
    const [first] = await lessonsOfTraining(training);
    clock.set('2026-12-10T01:00:00Z');
    expect(await checkInWithCode({ ...deps, userId: walkIn.id, code: first!.checkinCode })).toMatchObject({ walkIn: true });
    // The trainer ticks the invitee (no phone) and keeps the walk-in.
    await saveChecklist({ ...deps, training, lessonId: first!.id, userIds: [invitee.id, walkIn.id], actorId: trainer.id });
    const archive = await trainingArchive({ db: deps.db, training });
    const byId = new Map(archive.attendees.map((p) => [p.userId, p]));
    expect(byId.get(invitee.id)!.checkins.get(first!.id)).toBe('trainer');
    expect(byId.get(walkIn.id)).toMatchObject({ walkIn: true });
    expect(byId.get(walkIn.id)!.checkins.get(first!.id)).toBe('code');
    expect(byId.get(absent.id)!.checkins.size).toBe(0);
    const figures = trainingFigures(training, archive, { passedAnywhere: new Set() });
    expect(figures).toMatchObject({ headcount: 2, walkIns: 1, expected: 2, attendanceRate: 50, hours: 6 });
    clock.set('2026-12-01T01:00:00Z');
  });
});

describe('questions recorded in class (培训人员问题表)', () => {
  it('become Dayi questions of channel 培训, assigned to the trainer, due at the next lesson, on the desk like any other', async () => {
    const member = await person(['member'], { unit: unitId });
    const training = await published({ audienceEmails: member.email });
    const [, second] = await lessonsOfTraining(training);
    clock.set('2026-12-10T02:00:00Z'); // during the first lesson
    const { question } = await recordClassQuestion({ ...deps, training, actor: trainer, input: { title: '撤回后还能再次报送吗', body: '撤回的数据能否修改后重新报送？', traineeId: member.id } });
    expect(question).toMatchObject({ channel: 'training', kind: 'consult', status: 'assigned', assigneeId: trainer.id, askerId: member.id, unitId, contactEmail: member.email, recordedById: trainer.id });
    expect(question.firstReplyDueAt).toEqual(second!.startsAt);
    expect(question.resolveDueAt).toEqual(second!.startsAt);
    // On the desk's open queue for an engineer, with the trainer as assignee.
    const open = await listDeskQueue({ db: deps.db, viewer: engineer, queue: 'open', filters: { q: question.number }, now: clock.now() });
    expect(open.rows).toMatchObject([{ number: question.number, channel: 'training', assigneeName: '赵讲师' }]);
    // The trainee is told, with the tracking link and the due time.
    const [receipt] = await t.database.db.select().from(mailOutbox).where(eq(mailOutbox.subject, `[答疑 ${question.number}] 撤回后还能再次报送吗`));
    expect(receipt!.to).toEqual([member.email]);
    expect(receipt!.text).toContain('讲师会在 2026年12月11日 09:00 前答复');

    // The trainer answers from the archive: the desk's reply, mailed to the asker and on the timeline.
    const { question: answered } = await answerClassQuestion({ ...deps, training, actor: trainer, questionId: question.id, version: question.version, body: '可以，撤回后修改再报送即可。', resolve: true });
    expect(answered.status).toBe('resolved');
    expect(answered.firstRepliedAt).toEqual(clock.now());
    const events = await timeline({ db: deps.db, questionId: question.id, withInternal: true });
    expect(events.map((e) => e.kind)).toEqual(['submitted', 'routed', 'replied', 'resolved']);
    expect(events[2]).toMatchObject({ actor: '赵讲师', body: '可以，撤回后修改再报送即可。' });
    const replies = (await t.database.db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'question.reply'))).filter((m) => m.subject.includes(question.number));
    expect(replies.map((m) => m.to)).toEqual([[member.email]]);
    const listed = await classQuestionsOf({ db: deps.db, sessionId: training.id });
    expect(listed.map((q) => [q.traineeName, q.question.status, q.lastReply?.body])).toEqual([[member.name, 'resolved', '可以，撤回后修改再报送即可。']]);
    clock.set('2026-12-01T01:00:00Z');
  });

  it('falls back to the SLA policy’s due time after the last lesson, and refuses a trainee from outside the training', async () => {
    const training = await published({ audienceRoles: ['engineer'] });
    const outsider = await person(['member']);
    clock.set('2026-12-11T03:00:00Z'); // during the last lesson
    const { question } = await recordClassQuestion({ ...deps, training, actor: trainer, input: { title: '最后一节课上的问题' } });
    expect(question.contactEmail).toBe(trainer.email);
    expect(question.firstReplyDueAt!.getTime()).toBeGreaterThan(clock.now().getTime());
    expect(question.firstReplyDueAt!.getTime()).toBeLessThan(clock.now().getTime() + 24 * 3_600_000);
    await expect(recordClassQuestion({ ...deps, training, actor: trainer, input: { title: '外人的问题', traineeId: outsider.id } })).rejects.toMatchObject({
      fields: { traineeId: '请从本培训的学员中选择提问人。' },
    });
    expect((await t.database.db.select().from(questions).where(eq(questions.title, '外人的问题'))).length).toBe(0);
    clock.set('2026-12-01T01:00:00Z');
  });
});

describe('assessment (结业考核) and retakes', () => {
  it('lists who failed as needing a retake until they pass one, and counts the pass rate with retakes', async () => {
    const [good, weak] = [await person(['member']), await person(['member'])];
    const training = await published({ audienceEmails: `${good.email} ${weak.email}` });
    await recordAssessment({ ...deps, training, actorId: trainer.id, input: { userId: good.id, result: 'passed', score: '88' } });
    await expect(recordAssessment({ ...deps, training, actorId: trainer.id, input: { userId: weak.id, result: 'passed', score: '40' } })).rejects.toMatchObject({
      fields: { score: '成绩低于合格分数（60 分），不能记为合格。' },
    });
    await recordAssessment({ ...deps, training, actorId: trainer.id, input: { userId: weak.id, result: 'failed', score: '40', note: '撤回操作不熟练' } });
    expect((await retakesNeeded(deps.db, [training.id])).get(training.id)).toEqual([{ userId: weak.id, name: weak.name }]);

    const { training: retake } = await createRetake({ ...deps, training, actorId: trainer.id });
    expect(retake).toMatchObject({ retakeOfId: training.id, status: 'draft', title: '信用信息报送培训（补考）', audience: { userIds: [weak.id], unitIds: [], roles: [] } });
    await addLesson({ ...deps, training: retake, input: { startsAt: '2026-12-20T09:00', endsAt: '2026-12-20T10:00', place: '机房' } });
    const out = (await publishNotice({ ...deps, training: retake, version: retake.version, authorId: trainer.id })).training;
    await recordAssessment({ ...deps, training: out, actorId: trainer.id, input: { userId: weak.id, result: 'passed', score: '75' } });
    expect((await retakesNeeded(deps.db, [training.id])).get(training.id)).toEqual([]);
    const figures = trainingFigures(training, await trainingArchive({ db: deps.db, training }), { passedAnywhere: await passedInRetakes(deps.db, training.id) });
    expect(figures).toMatchObject({ assessed: 2, passed: 1, passRate: 50, passRateWithRetakes: 100 });
  });
});
