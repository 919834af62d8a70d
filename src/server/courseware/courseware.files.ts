import { stat } from 'node:fs/promises';
import type { Courseware, CoursewareVersion } from '../content/content.loader.ts';
import { resolveInside } from '../shared/paths.ts';

/** Which versions of `course` have their file in FILES_DIR (inside it, a regular file). */
export async function presentVersions({ filesDir, course }: { filesDir: string; course: Courseware }): Promise<Set<string>> {
  const present = new Set<string>();
  for (const v of course.versions) if (await openVersionFile({ filesDir, version: v })) present.add(v.version);
  return present;
}

/** The real path, size and mtime of a version's file, or null when it is missing (or would lead outside FILES_DIR). */
export async function openVersionFile({ filesDir, version }: { filesDir: string; version: CoursewareVersion }): Promise<{ file: string; size: number; modifiedAt: Date } | null> {
  const file = await resolveInside(filesDir, version.file);
  const info = file ? await stat(file).catch(() => null) : null;
  return file && info?.isFile() ? { file, size: info.size, modifiedAt: info.mtime } : null;
}

/**
 * `content:check`'s list of versions whose file is missing from FILES_DIR, as
 * `file:1: message` issues. `alsoIn`: folders that will be copied into
 * FILES_DIR at start (the shipped demo files), so a fresh checkout checks clean.
 */
export async function missingVersionFiles({ filesDir, courseware, alsoIn = [] }: { filesDir: string; courseware: Courseware[]; alsoIn?: string[] }): Promise<{ file: string; line: number; message: string }[]> {
  const out: { file: string; line: number; message: string }[] = [];
  for (const course of courseware) {
    for (const v of course.versions) {
      let found = false;
      for (const dir of [filesDir, ...alsoIn]) if (!found && (await openVersionFile({ filesDir: dir, version: v }))) found = true;
      if (!found) out.push({ file: course.file, line: 1, message: `versions: ${v.version}: file ${v.file} is missing in FILES_DIR` });
    }
  }
  return out;
}
