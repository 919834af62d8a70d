import { z } from 'zod';

/**
 * A phone number as people write one in China: digits, spaces, `+`, `-` and
 * parentheses, optionally followed by an extension (`转 8001`, `分机 8001`,
 * `ext. 8001`, `x8001`, `#8001`). Also the HTML `pattern` of phone fields
 * (valid in the `v` flag mode browsers use for it).
 */
export const PHONE_PATTERN = '\\+?[0-9 \\(\\)\\-]{3,24}(?:\\s*(?:转|分机|ext\\.?|x|#)\\s*[0-9]{1,6})?';

const PHONE = new RegExp(`^(?:${PHONE_PATTERN})$`, 'iv');

/** What a refused phone number is told, in zh-CN. */
export const PHONE_HINT = '电话只能包含数字、空格、+、-、括号和分机号，例如 023-6379 0000 转 8001。';

/** Full-width digits, brackets and dashes (as a Chinese IME types them) read as their ASCII forms, then checked. */
export function normalizePhone(value: string): string {
  return value.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

/** Whether `value` (normalized) is a phone number with at least three digits. */
export function isPhone(value: string): boolean {
  return PHONE.test(value) && (value.match(/[0-9]/g)?.length ?? 0) >= 3;
}

/** An optional phone field of a form: '' when left empty, else a normalized phone number. */
export const phoneFieldSchema = z
  .string()
  .transform(normalizePhone)
  .pipe(z.string().max(30, '电话不能超过 30 个字符。').refine((v) => v === '' || isPhone(v), PHONE_HINT))
  .optional()
  .default('');

/** A `tel:` link for a valid phone number: its digits (and a leading +), then the extension after a pause. */
export function telHref(phone: string): string {
  const [main = '', extension] = phone.split(/\s*(?:转|分机|ext\.?|x|#)\s*/i);
  return `tel:${main.replace(/[^\d+]/g, '')}${extension ? `,${extension}` : ''}`;
}
