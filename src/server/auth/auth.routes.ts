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
  // Off unless METRICS_TOKEN is set; the route checks the bearer token.
  '/metrics': { action: null },
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
  // Editing an entry from its page: the reviewers of FAQ promotion (engineers and admins).
  '/faq/[slug]/edit': { action: 'faq.review' },
  '/courseware': { action: null },
  // The course page checks the course's access; signed-in readers follow it there (POST).
  '/courseware/[slug]': { action: null },
  // The course's access decides: anonymous readers of a member course are sent to sign in.
  '/courseware/[slug]/download/[version]': { action: null },
  '/courseware/new': { action: 'courseware.publish' },
  '/courseware/[slug]/versions': { action: 'courseware.publish' },
  '/videos': { action: null },
  // The video's page, media, poster, captions and progress check the video's own access.
  '/videos/[slug]': { action: null },
  '/videos/[slug]/media': { action: null },
  '/videos/[slug]/poster': { action: null },
  '/videos/[slug]/captions.vtt': { action: null },
  '/api/videos/[slug]/progress': { action: null },
  '/videos/new': { action: 'videos.publish' },
  '/videos/[slug]/edit': { action: 'videos.publish' },
  '/announcements': { action: 'announcements.manage' },
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
  // Which pages the ask form suggested (counted per FAQ entry for reviewers); limited per address.
  '/api/questions/suggested': { action: null },
  // The private link is the permission: the page checks the token.
  '/track/[token]': { action: null },
  // The unit survey: the mailed link is the permission; the page checks the token.
  '/survey/[token]': { action: null },
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
  '/admin/system': { action: 'admin.system' },
  // Search logs, the synonym groups and dictionary, and the "asked as" phrases.
  '/admin/search': { action: 'admin.search' },
  // FAQ promotion: candidates, content gaps and suggestion counts; one cluster's review, publish, reject, merge, split.
  // The service report: admins the whole service's, engineers their own figures; one table of it as CSV.
  '/admin/reports': { action: 'reports.view' },
  '/admin/reports/[table].csv': { action: 'reports.view' },
  '/admin/faq': { action: 'faq.review' },
  '/admin/faq/[id]': { action: 'faq.review' },
  // Feedback forms (培训效果评估): trainers and admins at the door; each page answers 404 unless `training.manage` allows that training.
  '/training/[id]/feedback': { action: 'training.create' },
  '/training/[id]/feedback/[formId]': { action: 'training.create' },
  '/training/[id]/feedback/[formId]/links': { action: 'training.create' },
  '/training/[id]/feedback/[formId]/export': { action: 'training.create' },
  // Signed-in attendees; the page checks the person was invited to or signed in to the training.
  '/feedback/[formId]': { action: 'training.attend' },
  // The single-use link is the permission: the page checks the token.
  '/feedback/link/[token]': { action: null },
  // A trainer's own results across trainings (admins: anyone's); someone else's answers 404.
  '/feedback/trainer/[id]': { action: 'training.create' },
  // 我的培训 for everyone signed in; the trainings they run for trainers and admins.
  '/training': { action: 'training.attend' },
  '/training/new': { action: 'training.create' },
  '/training/checkin': { action: 'training.attend' },
  // The archive for its trainer and admins (training.manage, checked on the record), the invitation for an invitee; else 404.
  '/training/[id]': { action: 'training.attend' },
  '/training/[id]/register': { action: 'training.create' },
  '/training/[id]/summary': { action: 'training.create' },
};
