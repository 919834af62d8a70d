import { describe, expect, it } from 'vitest';
import { isPhone, normalizePhone, PHONE_PATTERN, phoneFieldSchema, telHref } from './phone.ts';

describe('phone numbers', () => {
  it.each(['13800138000', '+86 138 0013 8000', '023-6379 0000', '(023) 6379-0000', '023-6379 0000 转 8001', '6379 0000 分机 12', '400-800-1234 ext. 5', '63790000x12', '63790000#12'])(
    'accepts %s',
    (v) => expect(isPhone(normalizePhone(v))).toBe(true),
  );

  it.each(['abc', '12', '138-abc-0000', '电话 13800138000', '13800138000 转', '++86 138'])('refuses %s', (v) => expect(isPhone(normalizePhone(v))).toBe(false));

  it('reads full-width digits and brackets as a Chinese input method types them', () => {
    expect(normalizePhone('（０２３）６３７９－００００')).toBe('(023)6379-0000');
    expect(isPhone(normalizePhone('（０２３）６３７９－００００'))).toBe(true);
  });

  it('is a valid HTML pattern in the v mode browsers compile it with', () => {
    expect(new RegExp(`^(?:${PHONE_PATTERN})$`, 'v').test('023-6379 0000 转 8001')).toBe(true);
  });

  it('keeps an empty field empty and explains a refusal in zh-CN', () => {
    expect(phoneFieldSchema.parse(undefined)).toBe('');
    expect(phoneFieldSchema.parse('  ')).toBe('');
    const refused = phoneFieldSchema.safeParse('abc');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toContain('电话只能包含数字');
  });

  it.each([
    ['023-6379 0000', 'tel:02363790000'],
    ['+86 138 0013 8000', 'tel:+8613800138000'],
    ['023-6379 0000 转 8001', 'tel:02363790000,8001'],
    ['(023) 6379-0000 ext. 5', 'tel:02363790000,5'],
  ])('dials %s as %s', (phone, href) => expect(telHref(phone)).toBe(href));
});
