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

/** Astro's route pattern of a cacheable path (`/manuals/[manual]/[chapter]`), as the metrics name routes. */
export function cachedRoutePattern(pathname: string): string {
  const [section, ...rest] = pathname.split('/').filter(Boolean);
  if (!section) return '/';
  const params = section === 'manuals' ? ['[manual]', '[chapter]'] : ['[slug]'];
  return ['', section, ...params.slice(0, rest.length)].join('/');
}
