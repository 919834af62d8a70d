import type { IncomingMessage } from 'node:http';
import { can } from '../auth/auth.policy.ts';
import { SESSION_COOKIE, type Auth } from '../auth/auth.sessions.ts';
import { escapeText } from '../shared/html.ts';

/**
 * Knowledge pages shared by signed-in people of the same roles. A manual,
 * chapter, the FAQ or the home page shows a signed-in member exactly what it
 * shows every other member (what they may read follows from their roles),
 * except the name in the account menu. So the page cache keeps one copy per
 * set of roles and writes the viewer's own name into it. Pages with anything
 * else of one person's (courseware follows and what was seen, where a video
 * was left off, an FAQ reviewer's usage figures) are never shared.
 */

/** Who a shared page is for: the name written into it, and the group whose copy it is. */
export interface SharedViewer {
  name: string;
  group: string;
}

/** What the front layer learned from the session cookie: handed to Astro as is, so the session is checked once per request. */
export type SessionCheck = Awaited<ReturnType<Auth['validate']>>;

const SESSION = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]*)`);

/** The session cookie's value as sent (not decoded), or undefined when the request has none. */
export const sessionCookieValue = (cookieHeader: string): string | undefined => SESSION.exec(cookieHeader)?.[1];
const SHARED = [/^\/$/, /^\/manuals(\/[a-z0-9-]+){0,2}$/, /^\/faq$/];
const FAQ_ENTRY = /^\/faq\/[a-z0-9-]+$/;

/** Whether `pathname` may be shared among signed-in people of `roles`' group. */
export function sharedFor(pathname: string, user: NonNullable<SessionCheck['user']>): boolean {
  if (SHARED.some((r) => r.test(pathname))) return true;
  // Reviewers see an entry's sources and usage figures, which change with every ask.
  return FAQ_ENTRY.test(pathname) && !can(user, 'faq.review');
}

/**
 * Checks the request's session (one query) and says whether its page may come
 * from the group's shared copy. A session whose cookie must be sent again, an
 * unknown or ended one, and pages of one person's are `viewer: null`.
 */
export async function checkSession(auth: Pick<Auth, 'validate'>, req: IncomingMessage, pathname: string): Promise<{ session: SessionCheck; viewer: SharedViewer | null }> {
  const raw = sessionCookieValue(req.headers.cookie ?? '');
  let token: string | undefined;
  try {
    token = raw === undefined ? undefined : decodeURIComponent(raw);
  } catch {
    token = undefined;
  }
  const session = await auth.validate(token);
  const { user } = session;
  const viewer = user && !session.cookie && sharedFor(pathname, user) ? { name: user.name, group: [...user.roles].sort().join(',') } : null;
  return { session, viewer };
}

/** The name's element in the account menu (Astro adds its style scope's attribute after the class). */
const WHO_OPEN = Buffer.from('<span class="who"');

/** A shared page: its bytes before and after the viewer's name. */
export interface NameTemplate {
  before: Buffer;
  after: Buffer;
}

/**
 * Cuts a page rendered for `name` around that name in the account menu.
 * Null (the page is not kept) unless the menu appears exactly once and holds
 * exactly that name.
 */
export function cutAtName(page: Buffer, name: string): NameTemplate | null {
  const at = page.indexOf(WHO_OPEN);
  if (at < 0 || page.indexOf(WHO_OPEN, at + 1) >= 0) return null;
  const start = page.indexOf('>', at) + 1;
  const written = Buffer.from(`${escapeText(name)}</span>`);
  if (!page.subarray(start, start + written.length).equals(written)) return null;
  return { before: page.subarray(0, start), after: page.subarray(start + written.length - '</span>'.length) };
}

/** The name as the page holds it. */
export const nameBytes = (name: string): Buffer => Buffer.from(escapeText(name));

/** The page for `name` from a shared copy. */
export function fillName(t: NameTemplate, name: string): Buffer {
  return Buffer.concat([t.before, nameBytes(name), t.after]);
}
