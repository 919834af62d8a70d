import type { AccountDeps, RequestMeta } from './users.usecases.ts';

interface LocalsLike {
  runtime: App.Locals['runtime'];
  user: App.Locals['user'];
  clientIp: string | null;
  requestId: string;
}

/** Who is acting, from where: what every audited use case records. */
export function requestMeta(locals: LocalsLike): RequestMeta {
  return { actor: locals.user, ip: locals.clientIp, requestId: locals.requestId };
}

/** Dependencies of the account use cases for this request; links in mails use PUBLIC_URL or the address in use. */
export function accountDeps(locals: LocalsLike, url: URL): AccountDeps {
  const { runtime } = locals;
  return { db: runtime.database.db, clock: runtime.clock, jobs: runtime.jobs, mailFrom: runtime.config.mailFrom, baseUrl: runtime.config.publicUrl ?? url.origin };
}
