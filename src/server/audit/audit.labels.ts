/**
 * The audit log as admins read it: zh-CN names for the action codes the
 * use cases write, and an event's before/after as "字段：值" lines.
 */
import { isMessageKey as isKey, t } from '../../i18n/t.ts';
import { zhCN } from '../../i18n/zh-CN.ts';
import { isUuid } from '../shared/ids.ts';

const ACTION_PREFIX = 'audit.action.';

/** Every action code that has a zh-CN name, in the order of the strings file (for the filter). */
export const auditActions: readonly string[] = Object.keys(zhCN)
  .filter((k) => k.startsWith(ACTION_PREFIX))
  .map((k) => k.slice(ACTION_PREFIX.length));

/** The zh-CN name of an action code; a code without one (written by a newer feature) is shown as it is. */
export function auditActionLabel(action: string): string {
  const key = `${ACTION_PREFIX}${action}`;
  return isKey(key) ? t(key) : action;
}

/** What detail values refer to: names of the units whose ids appear in them. */
export interface AuditLookups {
  unitNames: ReadonlyMap<string, string>;
}

/** Emails and the like: at most this many shown, then "等 N 个". */
const LIST_SHOWN = 3;

const translated = (prefix: string, value: unknown) => {
  const key = `${prefix}${String(value)}`;
  return isKey(key) ? t(key) : String(value);
};

function list(values: unknown[], one: (v: unknown) => string): string {
  const shown = values.slice(0, LIST_SHOWN).map(one).join('、');
  return values.length > LIST_SHOWN ? t('audit.andMore', { list: shown, count: values.length }) : shown;
}

/** One detail value in words: roles, tiers, statuses and reasons by their zh-CN names, a unit by its name. */
function valueText(field: string, value: unknown, lookups: AuditLookups): string {
  if (value === null || value === undefined || value === '') return field === 'unitId' ? t('admin.noUnit') : t('audit.empty');
  if (Array.isArray(value)) return list(value, (v) => valueText(field, v, lookups));
  if (typeof value === 'boolean') return t(value ? 'audit.yes' : 'audit.no');
  switch (field) {
    case 'roles':
      return translated('role.', value);
    case 'engineerTier':
      return translated('tier.', value);
    case 'status':
      return translated('status.', value);
    case 'reason':
      return translated('audit.reason.', value);
    case 'encoding':
      return translated('admin.users.importEncoding.', value);
    case 'unitId':
      return lookups.unitNames.get(String(value)) ?? String(value);
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

const fieldLabel = (field: string) => translated('audit.field.', field);
const asRecord = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/**
 * An event's details as zh-CN lines: "状态：正常 → 已停用" for a field that
 * changed, "邮箱：a@b.cn" for one only recorded on one side; unchanged fields are left out.
 */
export function auditDetailLines(before: unknown, after: unknown, lookups: AuditLookups): string[] {
  const b = asRecord(before);
  const a = asRecord(after);
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  const lines: string[] = [];
  for (const field of fields) {
    const inBefore = field in b;
    const inAfter = field in a;
    const was = valueText(field, b[field], lookups);
    const now = valueText(field, a[field], lookups);
    if (inBefore && inAfter) {
      if (was !== now) lines.push(t('audit.change', { field: fieldLabel(field), before: was, after: now }));
    } else lines.push(t('audit.line', { field: fieldLabel(field), value: inAfter ? now : was }));
  }
  return lines;
}

/** The unit ids (well-formed uuids only) that appear in events' details, to look their names up in one query. */
export function unitIdsIn(events: { before: unknown; after: unknown }[]): string[] {
  const ids = events.flatMap((e) => [asRecord(e.before).unitId, asRecord(e.after).unitId]);
  return [...new Set(ids.filter((id): id is string => typeof id === 'string' && isUuid(id)))];
}
