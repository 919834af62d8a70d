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

/** Dependencies of the account use cases; links in mails use the runtime's fixed address, never the request's Host. */
export function accountDeps(locals: LocalsLike): AccountDeps {
  const { runtime } = locals;
  return { db: runtime.database.db, clock: runtime.clock, jobs: runtime.jobs, mailFrom: runtime.config.mailFrom, baseUrl: runtime.publicBase };
}
