import { count, eq, ilike, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { units, users } from '../../../db/schema/index.ts';
import { auditRequest, type RequestMeta } from '../audit/audit.usecases.ts';
import type { Clock } from '../shared/clock.ts';
import { createErrorFactory, createValidationError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';

const createUnitCodeTakenError = createErrorFactory({ code: 'units.code_taken', message: '该单位编码已存在。', status: 409 });

export const unitInputSchema = z.strictObject({
  name: z.string().trim().min(1, '请填写单位名称。').max(100, '单位名称不能超过 100 个字。'),
  code: z.string().trim().min(1, '请填写单位编码。').max(40, '单位编码不能超过 40 个字符。').regex(/^[A-Za-z0-9_-]+$/, '单位编码只能包含字母、数字、- 和 _。'),
  region: z.string().trim().max(50).optional().default(''),
});

/** Creates a member unit with a unique code. */
export async function createUnit({ db, clock, meta, input }: { db: Db; clock: Clock; meta: RequestMeta; input: unknown }): Promise<{ id: string }> {
  const parsed = unitInputSchema.safeParse(input);
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const i of parsed.error.issues) fields[String(i.path[0])] ??= i.message;
    throw createValidationError(fields);
  }
  const code = parsed.data.code.toUpperCase();
  const [taken] = await db.select({ id: units.id }).from(units).where(eq(units.code, code));
  if (taken) throw createUnitCodeTakenError({ code: '该单位编码已存在。' });
  const id = newId();
  await db.insert(units).values({ id, name: parsed.data.name, code, region: parsed.data.region || null, createdAt: clock.now() });
  await auditRequest({ db, clock, meta, event: { action: 'unit.created', targetType: 'unit', targetId: id, after: { ...parsed.data, code } } });
  return { id };
}

export const UNIT_PAGE_SIZE = 20;

/** Units with their user counts: search by name, code or region; paged. */
export async function listUnits({ db, q = '', page = 1 }: { db: Db; q?: string; page?: number }) {
  const term = q.trim().slice(0, 100);
  const where = term ? or(ilike(units.name, `%${term}%`), ilike(units.code, `%${term}%`), ilike(units.region, `%${term}%`)) : undefined;
  const base = db
    .select({ id: units.id, name: units.name, code: units.code, region: units.region, users: count(users.id) })
    .from(units)
    .leftJoin(users, eq(users.unitId, units.id))
    .groupBy(units.id);
  const rows = await (where ? base.where(where) : base).orderBy(units.name).limit(UNIT_PAGE_SIZE).offset((page - 1) * UNIT_PAGE_SIZE);
  const totalQ = db.select({ n: count() }).from(units);
  const [{ n } = { n: 0 }] = await (where ? totalQ.where(where) : totalQ);
  return { rows: rows.map((r) => ({ ...r, users: Number(r.users) })), total: Number(n), page, pages: Math.max(1, Math.ceil(Number(n) / UNIT_PAGE_SIZE)) };
}

/** All units, for select boxes. */
export function allUnits({ db }: { db: Db }) {
  return db.select({ id: units.id, name: units.name, code: units.code }).from(units).orderBy(units.name);
}
