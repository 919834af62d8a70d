/** The pages that are the same for every anonymous visitor (not their edit, upload or media routes). */
const CACHEABLE = [
  /^\/$/,
  /^\/manuals(\/[a-z0-9-]+){0,2}$/,
  /^\/faq(\/[a-z0-9-]+)?$/,
  /^\/courseware(\/[a-z0-9-]+)?$/,
  /^\/videos(\/[a-z0-9-]+)?$/,
];
const NOT_PAGES = new Set(['/courseware/new', '/videos/new']);

export function cacheablePath(pathname: string): boolean {
  return !NOT_PAGES.has(pathname) && CACHEABLE.some((r) => r.test(pathname));
}

/** Patterns of the paths seen, so a page answered from the cache does not split its path again (bounded: forgets all past 10 000). */
const patterns = new Map<string, string>();

/** Astro's route pattern of a cacheable path (`/manuals/[manual]/[chapter]`), as the metrics name routes. */
export function cachedRoutePattern(pathname: string): string {
  let pattern = patterns.get(pathname);
  if (pattern === undefined) {
    const [section, ...rest] = pathname.split('/').filter(Boolean);
    const params = section === 'manuals' ? ['[manual]', '[chapter]'] : ['[slug]'];
    pattern = section ? ['', section, ...params.slice(0, rest.length)].join('/') : '/';
    if (patterns.size >= 10_000) patterns.clear();
    patterns.set(pathname, pattern);
  }
  return pattern;
}
