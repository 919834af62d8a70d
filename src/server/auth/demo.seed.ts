import { randomBytes } from 'node:crypto';
import { count } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { units, users, type Role } from '../../../db/schema/index.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import { hashPassword } from './auth.passwords.ts';

const DEMO: { email: string; name: string; roles: Role[]; tier: number | null; unit: boolean }[] = [
  { email: 'member@demo.dayi', name: '张成员', roles: ['member'], tier: null, unit: true },
  { email: 'engineer1@demo.dayi', name: '李一线', roles: ['engineer'], tier: 1, unit: false },
  { email: 'engineer2@demo.dayi', name: '王专家', roles: ['engineer'], tier: 2, unit: false },
  { email: 'trainer@demo.dayi', name: '赵讲师', roles: ['trainer'], tier: null, unit: false },
  { email: 'admin@demo.dayi', name: '系统管理员', roles: ['admin'], tier: null, unit: false },
];

/**
 * Embedded demo mode only: on an empty database, one account per role with a
 * random password, returned so the start script can print them once. Only the
 * argon2 hashes are stored.
 */
export async function seedDemoAccounts({ db, clock }: { db: Db; clock: Clock }): Promise<{ email: string; password: string; roles: Role[] }[] | null> {
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(users);
  if (Number(n) > 0) return null;
  const now = clock.now();
  const unitId = newId();
  await db.insert(units).values({ id: unitId, name: '示例成员单位', code: 'DEMO', region: '示例区', createdAt: now });
  const out: { email: string; password: string; roles: Role[] }[] = [];
  for (const d of DEMO) {
    const password = randomBytes(12).toString('base64url');
    await db.insert(users).values({
      id: newId(),
      name: d.name,
      email: d.email,
      unitId: d.unit ? unitId : null,
      roles: d.roles,
      engineerTier: d.tier,
      status: 'active',
      passwordHash: await hashPassword(password),
      passwordChangedAt: now,
      createdAt: now,
      updatedAt: now,
    });
    out.push({ email: d.email, password, roles: d.roles });
  }
  return out;
}
