import { zhCN, type MessageKey } from './zh-CN.ts';

/**
 * The one way UI text is read: `t('nav.faq')`, with `{name}` placeholders
 * filled from `params`. Keys are typed, so a missing string fails the type check.
 */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text: string = zhCN[key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** Whether `key` names a string: for labels built from codes (audit actions, queue names) that a newer feature may not have named yet. */
export const isMessageKey = (key: string): key is MessageKey => Object.hasOwn(zhCN, key);
