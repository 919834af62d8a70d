import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gzipFrame, gzipWith } from './encoding.ts';
import { cutAtName, fillName, nameBytes, sharedFor } from './shared-pages.ts';

const page = (name: string) => Buffer.from(`<html><header><nav class="user-menu"><details><summary><span class="who" data-astro-cid-67e7mat2>${name}</span><small>成员</small></summary></details></nav></header><main>正文</main></html>`);
const user = (roles: string[]) => ({ id: 'u1', name: '张三', email: 'a@b.cn', roles, engineerTier: null, isUnitContact: false, unitId: null, status: 'active' }) as Parameters<typeof sharedFor>[1];

describe('pages shared by signed-in people of the same roles', () => {
  it('writes another name, escaped as Astro escapes it, where the first one stood', () => {
    const shared = cutAtName(page('张三'), '张三')!;
    expect(fillName(shared, '李四').equals(page('李四'))).toBe(true);
    expect(fillName(shared, `<王&"五'>`).equals(page('&lt;王&amp;&quot;五&#39;&gt;'))).toBe(true);
    // A name that needed escaping is found again in the page rendered for it.
    const escaped = cutAtName(page('&lt;b&gt; &amp; &#39;'), "<b> & '")!;
    expect(fillName(escaped, '赵六').toString()).not.toContain('&lt;b&gt;');
    expect(fillName(escaped, '赵六').equals(page('赵六'))).toBe(true);
  });

  it('makes a valid gzip body for each name from parts compressed once', () => {
    const shared = cutAtName(Buffer.concat([page('张三'), Buffer.from('正文'.repeat(5000))]), '张三')!;
    const frame = gzipFrame(shared.before, shared.after);
    for (const name of ['李四', '', `<王&"五'>`, 'A'.repeat(300)]) {
      const whole = fillName(shared, name);
      const gz = gzipWith(frame, nameBytes(name));
      expect(gunzipSync(gz).equals(whole), name).toBe(true);
      expect(gz.length).toBeLessThan(whole.length / 4);
    }
  });

  it('keeps nothing when the name is not where it should be, or the menu shows twice', () => {
    expect(cutAtName(page('张三'), '李四')).toBeNull();
    expect(cutAtName(page('张三丰'), '张三')).toBeNull();
    expect(cutAtName(Buffer.from('<main>no menu</main>'), '张三')).toBeNull();
    expect(cutAtName(Buffer.concat([page('张三'), page('张三')]), '张三')).toBeNull();
  });

  it('shares knowledge pages, never courseware, videos, edit routes or an FAQ entry its reviewers see with usage figures', () => {
    const member = user(['member']);
    for (const p of ['/', '/manuals', '/manuals/user-guide', '/manuals/user-guide/search', '/faq', '/faq/account-locked']) expect(sharedFor(p, member), p).toBe(true);
    for (const p of ['/courseware', '/courseware/data-reporting', '/videos', '/videos/demo', '/faq/account-locked/edit', '/my/questions', '/desk'])
      expect(sharedFor(p, member), p).toBe(false);
    expect(sharedFor('/faq/account-locked', user(['engineer']))).toBe(false);
    expect(sharedFor('/faq', user(['engineer']))).toBe(true);
  });
});
