const BASE = 'http://dayi.invalid';

/**
 * The one check for every redirect target that comes from a request (`next`,
 * a search click's `u`, the feedback form's `page`): parsed as a URL against
 * our own origin, refused unless it stays there, and rebuilt from its path,
 * query and fragment. The URL parser drops tabs and newlines and turns `\` into
 * `/` exactly as browsers do, so `/\t/evil.example` and `/\evil.example` are
 * seen as the other host they are; the rebuilt value is percent-encoded ASCII,
 * so Chinese anchors, CR/LF or U+3000 can never break the Location header.
 */
export function safeRedirectTarget(target: string | null | undefined, fallback = '/'): string {
  if (!target) return fallback;
  let url: URL;
  try {
    url = new URL(target, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  return url.pathname + url.search + url.hash;
}

/** A 303 to a target from a request, through `safeRedirectTarget`. */
export function redirectTo(target: string | null | undefined, { fallback = '/', status = 303 } = {}): Response {
  return new Response(null, { status, headers: { Location: safeRedirectTarget(target, fallback) } });
}
