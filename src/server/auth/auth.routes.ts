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
  '/status': { action: null },
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
  // Anyone may ask; whether a question without an account is accepted is ASK_ANONYMOUS, checked where it is submitted.
  '/ask': { action: null },
  '/api/questions': { action: null },
  '/api/questions/deflect': { action: null },
  // The private link is the permission: the page checks the token.
  '/track/[token]': { action: null },
  '/track/[token]/files/[id]': { action: null },
  '/my/questions': { action: 'questions.own' },
  // The page shows the question only to its asker, the unit's contact person, engineers and admins.
  '/questions/[number]': { action: 'questions.own' },
  // Its question's rule, and internal notes' files only for engineers and admins.
  '/questions/[number]/files/[id]': { action: 'questions.own' },
  '/desk': { action: 'desk.use' },
  '/desk/[number]': { action: 'desk.use' },
  // Who is on duty, one's own unavailable periods, handover notes.
  '/desk/duty': { action: 'desk.use' },
  // The on-site service record of a fault (现场服务记录); the page says so for other kinds.
  '/desk/[number]/service-record': { action: 'desk.use' },
  '/api/desk/counts': { action: 'desk.use' },
  '/admin': { action: 'admin.home' },
  '/admin/users': { action: 'admin.users' },
  '/admin/users/[id]': { action: 'admin.users' },
  '/admin/units': { action: 'admin.units' },
  '/admin/audit': { action: 'admin.audit' },
  '/admin/mail': { action: 'admin.mail' },
  '/admin/mail/[file]': { action: 'admin.mail' },
  '/admin/complaints': { action: 'admin.complaints' },
  '/admin/roster': { action: 'admin.roster' },
  '/admin/sla': { action: 'admin.sla' },
};
