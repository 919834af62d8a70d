import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/helpers/tmp.ts';
import { sniffPoster, sniffVideo } from './videos.sniff.ts';

const fixture = (name: string) => path.join(import.meta.dirname, '../../../tests/fixtures/videos', name);

describe('sniffVideo', () => {
  it('accepts real MP4 and WebM by their content and refuses renamed files', async () => {
    const dir = tempDir('sniff-video');
    const exe = path.join(dir, 'x');
    writeFileSync(exe, Buffer.concat([Buffer.from('MZ'), Buffer.alloc(100)]));
    const webmAsMp4 = path.join(dir, 'w');
    copyFileSync(fixture('lesson.webm'), webmAsMp4);
    expect(await sniffVideo(fixture('lesson.mp4'), '课程.MP4')).toEqual({ ok: true, ext: 'mp4', contentType: 'video/mp4' });
    expect(await sniffVideo(fixture('lesson.webm'), 'lesson.webm')).toEqual({ ok: true, ext: 'webm', contentType: 'video/webm' });
    expect(await sniffVideo(exe, 'setup.mp4')).toEqual({ ok: false, reason: 'content_mismatch' });
    expect(await sniffVideo(webmAsMp4, 'lesson.mp4')).toEqual({ ok: false, reason: 'content_mismatch' });
    expect(await sniffVideo(fixture('lesson.mp4'), 'lesson.m4v')).toEqual({ ok: false, reason: 'type_not_allowed' });
    expect(await sniffVideo(fixture('lesson.mp4'), 'lesson.webm')).toEqual({ ok: false, reason: 'content_mismatch' });
  });
});

describe('sniffPoster', () => {
  it('accepts JPEG, PNG and WebP by magic bytes', async () => {
    const dir = tempDir('sniff-poster');
    const jpg = path.join(dir, 'a');
    writeFileSync(jpg, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]));
    const png = path.join(dir, 'b');
    writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]));
    expect(await sniffPoster(jpg, '封面.JPG')).toMatchObject({ ok: true, ext: 'jpg' });
    expect(await sniffPoster(png, 'cover.png')).toMatchObject({ ok: true, ext: 'png' });
    expect(await sniffPoster(png, 'cover.jpg')).toEqual({ ok: false });
    expect(await sniffPoster(fixture('lesson.mp4'), 'cover.webp')).toEqual({ ok: false });
  });
});
