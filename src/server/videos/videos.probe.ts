import { execFile } from 'node:child_process';
import { chmod, rm, stat } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What ffprobe says of a file: nothing when it is not installed; not ok when it cannot read the file as media. */
export type Probe =
  | { available: false }
  | { available: true; ok: false }
  | { available: true; ok: true; duration: number | null; width: number | null; height: number | null; hasVideo: boolean };

const missing = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';

interface FfprobeOutput {
  format?: { duration?: string };
  streams?: { codec_type?: string; width?: number; height?: number }[];
}

/** Reads a video's duration and size with ffprobe (when installed; Debian's ffmpeg package has it). Never throws. */
export async function probeVideo(file: string, { ffprobe = 'ffprobe', timeoutMs = 30_000 }: { ffprobe?: string; timeoutMs?: number } = {}): Promise<Probe> {
  let stdout: string;
  try {
    ({ stdout } = await run(ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file], { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }));
  } catch (e) {
    return missing(e) ? { available: false } : { available: true, ok: false };
  }
  let out: FfprobeOutput;
  try {
    out = JSON.parse(stdout) as FfprobeOutput;
  } catch {
    return { available: true, ok: false };
  }
  const video = out.streams?.find((s) => s.codec_type === 'video');
  const duration = Number(out.format?.duration);
  return {
    available: true,
    ok: true,
    duration: Number.isFinite(duration) && duration > 0 ? duration : null,
    width: video?.width ?? null,
    height: video?.height ?? null,
    hasVideo: Boolean(video),
  };
}

/**
 * Takes one frame at `at` seconds as a JPEG poster with ffmpeg (at most 1280
 * wide), at 0 s if that yields nothing (a video shorter than `at`). False,
 * with nothing left behind, when ffmpeg is missing or fails.
 */
export async function extractPoster(file: string, out: string, { at, ffmpeg = 'ffmpeg', timeoutMs = 60_000 }: { at: number; ffmpeg?: string; timeoutMs?: number }): Promise<boolean> {
  for (const seek of at > 0 ? [at, 0] : [0]) {
    try {
      await run(ffmpeg, ['-v', 'error', '-y', '-ss', String(seek), '-i', file, '-frames:v', '1', '-vf', "scale='min(1280,iw)':-2", '-q:v', '4', out], { timeout: timeoutMs });
      if (((await stat(out).catch(() => null))?.size ?? 0) > 0) {
        await chmod(out, 0o600);
        return true;
      }
    } catch (e) {
      if (missing(e)) break;
    }
  }
  await rm(out, { force: true });
  return false;
}
