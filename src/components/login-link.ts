/** Pages that are no place to come back to after signing in: the sign-in and password pages themselves, and the error pages. */
const NO_RETURN = /^\/(?:login|logout|password\/.*|403|404|500)$/;

/**
 * The header's sign-in link for the page at `url`: `/login?next=<path and query>`,
 * so signing in from a chapter, an FAQ or a search comes back to it. On the sign-in
 * page the `next` it was given is kept; pages in NO_RETURN get none.
 */
export function loginHref(url: URL): string {
  const next = url.pathname === '/login' ? url.searchParams.get('next') : NO_RETURN.test(url.pathname) ? null : url.pathname + url.search;
  return next ? `/login?next=${encodeURIComponent(next)}` : '/login';
}
