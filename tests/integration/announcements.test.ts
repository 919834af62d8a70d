import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailOutbox, units, users } from '../../db/schema/index.ts';
import type { AuthUser } from '../../src/server/auth/auth.sessions.ts';
import { currentAnnouncements, publishAnnouncement, withdrawAnnouncement, type AnnouncementDeps } from '../../src/server/announcements/announcements.usecases.ts';
import { startJobs, type Jobs } from '../../src/server/jobs/jobs.ts';
import { createFixedClock } from '../../src/server/shared/clock.ts';
import { newId } from '../../src/server/shared/ids.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { silentLog } from '../helpers/runtime.ts';

const clock = createFixedClock('2026-11-25T02:00:00Z');
const meta = { actor: null, ip: null, requestId: null };
let t: TestDatabase;
let jobs: Jobs;
let deps: AnnouncementDeps;
let trainer: AuthUser;
const unitId = newId();

beforeAll(async () => {
  t = await createTestDatabase();
  jobs = await startJobs({ database: t.database, log: silentLog });
  deps = { db: t.database.db, clock, jobs, mailFrom: 'Dayi <dayi@example.cn>', baseUrl: 'https://help.example.gov.cn', timeZone: 'Asia/Shanghai' };
  await t.database.db.insert(units).values({ id: unitId, name: '市市场监管局', code: 'SCJG', createdAt: clock.now() });
  trainer = await user(['trainer']);
});
afterAll(async () => {
  await jobs?.stop();
  await t?.drop();
});

async function user(roles: AuthUser['roles'], extra: Partial<AuthUser> = {}): Promise<AuthUser> {
  const id = newId();
  const u: AuthUser = { id, name: `用户${id.slice(-4)}`, email: `${id}@example.cn`, roles, engineerTier: null, isUnitContact: false, unitId: null, status: 'active', ...extra };
  await t.database.db.insert(users).values({ ...u, createdAt: clock.now(), updatedAt: clock.now() });
  return u;
}

const input = (extra: Record<string, unknown> = {}) => ({ kind: 'upgrade', title: '平台 v5.2 升级通知', body: '12 月 1 日 20:00–22:00 升级，期间**暂停数据报送**。<script>alert(1)</script>', access: 'public', expiresAt: '2026-12-02T00:00', ...extra });

describe('announcements', () => {
  it('mails the chosen roles and units once each, and not disabled users or other units', async () => {
    const engineer = await user(['engineer']);
    const inUnit = await user(['member'], { unitId });
    const both = await user(['engineer'], { unitId });
    await user(['member']);
    await user(['engineer'], { status: 'disabled' });
    const { announcement, mailed } = await publishAnnouncement({ deps, authorId: trainer.id, input: input({ mailRoles: ['engineer'], mailUnitIds: [unitId] }), meta });
    expect(mailed).toBe(3);
    expect(announcement.mailedAt).toEqual(clock.now());
    const rows = await t.database.db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'announcement'));
    expect(rows.map((r) => r.to[0]).sort()).toEqual([engineer.email, inUnit.email, both.email].sort());
    expect(rows[0]!.subject).toBe('【答疑】版本升级：平台 v5.2 升级通知');
  });

  it('shows current announcements on the home page, sanitized, until they expire or are withdrawn', async () => {
    const member = await publishAnnouncement({ deps, authorId: trainer.id, input: input({ title: '成员单位培训通知', kind: 'training', access: 'member' }), meta });
    const anon = await currentAnnouncements({ db: t.database.db, now: clock.now(), signedIn: false });
    expect(anon.map((a) => a.title)).toEqual(['平台 v5.2 升级通知']);
    expect(anon[0]!.html).toContain('<strong>暂停数据报送</strong>');
    expect(anon[0]!.html).not.toContain('<script');
    expect((await currentAnnouncements({ db: t.database.db, now: clock.now(), signedIn: true })).map((a) => a.title)).toEqual(['成员单位培训通知', '平台 v5.2 升级通知']);
    await withdrawAnnouncement({ deps, id: member.announcement.id, meta });
    expect((await currentAnnouncements({ db: t.database.db, now: clock.now(), signedIn: true })).map((a) => a.title)).toEqual(['平台 v5.2 升级通知']);
    await expect(withdrawAnnouncement({ deps, id: member.announcement.id, meta })).rejects.toMatchObject({ status: 404 });
    expect(await currentAnnouncements({ db: t.database.db, now: new Date('2026-12-01T16:00:00Z'), signedIn: true })).toEqual([]);
  });

  it('refuses an expiry in the past, an unknown unit and an unknown kind, and mails nobody when no audience is chosen', async () => {
    await expect(publishAnnouncement({ deps, authorId: trainer.id, input: input({ expiresAt: '2026-11-24T10:00' }), meta })).rejects.toMatchObject({ status: 400, fields: { expiresAt: expect.stringContaining('晚于现在') } });
    await expect(publishAnnouncement({ deps, authorId: trainer.id, input: input({ mailUnitIds: [newId()] }), meta })).rejects.toMatchObject({ status: 400, fields: { mailUnitIds: expect.any(String) } });
    await expect(publishAnnouncement({ deps, authorId: trainer.id, input: input({ kind: 'spam' }), meta })).rejects.toMatchObject({ status: 400, fields: { kind: expect.any(String) } });
    const { mailed, announcement } = await publishAnnouncement({ deps, authorId: trainer.id, input: input({ title: '不发邮件的公告' }), meta });
    expect([mailed, announcement.mailedAt]).toEqual([0, null]);
  });
});
