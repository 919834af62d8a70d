import type { AnnouncementDeps } from './announcements.usecases.ts';

/** Dependencies of publishing announcements, for this request. */
export function announcementDeps({ runtime }: { runtime: App.Locals['runtime'] }): AnnouncementDeps {
  return { db: runtime.database.db, clock: runtime.clock, jobs: runtime.jobs, mailFrom: runtime.config.mailFrom, baseUrl: runtime.publicBase, timeZone: runtime.config.appTimeZone };
}
