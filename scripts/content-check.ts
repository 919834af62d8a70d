/**
 * `npm run content:check`: validates CONTENT_DIR the way the server loads it.
 * Prints `path:line: message` for every skipped file and exits 1 if there is any.
 */
import { formatIssue, loadContent } from '../src/server/content/content.loader.ts';
import { ConfigError, loadConfig } from '../src/server/config/config.ts';
import { missingVersionFiles } from '../src/server/courseware/courseware.files.ts';
import { demoFilesDir } from '../src/server/demo/demo.files.ts';
import { appRoot } from '../src/server/shared/paths.ts';
import { missingVideoFiles } from '../src/server/videos/videos.files.ts';
import path from 'node:path';

try {
  const config = loadConfig();
  const store = await loadContent(config.contentDir);
  // The shipped demo content's files are copied into FILES_DIR at start.
  const alsoIn = path.resolve(config.contentDir) === path.join(appRoot(), 'content') ? [demoFilesDir()] : [];
  // A courseware version or a video whose file is not in FILES_DIR: its page says the file is missing instead of offering it.
  const issues = [
    ...store.issues,
    ...(await missingVersionFiles({ filesDir: config.filesDir, courseware: store.courseware, alsoIn })),
    ...(await missingVideoFiles({ filesDir: config.filesDir, videos: store.videos, alsoIn })),
  ];
  for (const issue of issues) console.error(formatIssue(issue));
  const sections = [...store.pages.values()].reduce((n, p) => n + p.sections.length, 0);
  console.log(
    `${config.contentDir}: ${store.manuals.length} manuals, ${store.manuals.reduce((n, m) => n + m.chapters.length, 0)} chapters, ` +
      `${store.faqs.length} FAQ, ${store.courseware.length} courseware, ${store.videos.length} videos, ${sections} sections; ${issues.length} problem(s)`,
  );
  process.exit(issues.length ? 1 : 0);
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}
