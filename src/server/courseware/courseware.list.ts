import type { Courseware } from '../content/content.loader.ts';

/**
 * The list page's groups: by the first audience a course names ("成员单位用户、数据处理人员" →
 * 成员单位用户), in the order they first appear; courses naming none under `other`, last.
 */
export function byAudience(items: Courseware[], other: string): { audience: string; items: Courseware[] }[] {
  const groups = new Map<string, Courseware[]>();
  for (const c of items) {
    const first = c.audience.split(/[、，,;；/]/)[0]?.trim() || other;
    groups.set(first, [...(groups.get(first) ?? []), c]);
  }
  const out = [...groups].map(([audience, list]) => ({ audience, items: list }));
  return [...out.filter((g) => g.audience !== other), ...out.filter((g) => g.audience === other)];
}
