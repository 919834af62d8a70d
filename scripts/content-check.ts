/**
 * `npm run content:check`: validates CONTENT_DIR the way the server loads it.
 * Prints `path:line: message` for every skipped file and exits 1 if there is any.
 */
import { formatIssue, loadContent } from '../src/server/content/content.loader.ts';
import { ConfigError, loadConfig } from '../src/server/config/config.ts';

try {
  const config = loadConfig();
  const store = await loadContent(config.contentDir);
  for (const issue of store.issues) console.error(formatIssue(issue));
  const sections = [...store.pages.values()].reduce((n, p) => n + p.sections.length, 0);
  console.log(
    `${config.contentDir}: ${store.manuals.length} manuals, ${store.manuals.reduce((n, m) => n + m.chapters.length, 0)} chapters, ` +
      `${store.faqs.length} FAQ, ${store.courseware.length} courseware, ${sections} sections; ${store.issues.length} problem(s)`,
  );
  process.exit(store.issues.length ? 1 : 0);
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}
