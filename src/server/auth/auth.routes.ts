import type { Action } from './auth.policy.ts';

/**
 * Every route (as Astro names it, from src/pages) and what it needs. `null`
 * means anyone; content routes then check each page's own access level. A route
 * missing here is refused by the middleware, and the route × role matrix test
 * fails, so nothing is reachable without a decision.
 */
export const routeRules: Record<string, { action: Action | null }> = {
  '/': { action: null },
  '/404': { action: null },
  '/500': { action: null },
  '/403': { action: null },
  '/api/health': { action: null },
  '/api/search': { action: null },
  '/api/search/log': { action: null },
  '/api/feedback': { action: null },
  '/search': { action: null },
  '/search/go': { action: null },
  '/manuals': { action: null },
  '/manuals/[manual]': { action: null },
  '/manuals/[manual]/[chapter]': { action: null },
  '/faq': { action: null },
  '/faq/[slug]': { action: null },
  '/courseware': { action: null },
  '/courseware/[slug]': { action: null },
  '/content-files/[...path]': { action: null },
  '/login': { action: null },
  '/logout': { action: null },
  '/password/forgot': { action: null },
  '/password/set': { action: null },
  '/account': { action: 'account.manage' },
  '/admin': { action: 'admin.home' },
  '/admin/users': { action: 'admin.users' },
  '/admin/users/[id]': { action: 'admin.users' },
  '/admin/units': { action: 'admin.units' },
  '/admin/audit': { action: 'admin.audit' },
};
