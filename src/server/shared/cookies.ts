/** The anonymous visitor id, for one feedback vote per visitor. */
export const VISITOR_COOKIE = 'dayi_vid';

/** Cookie attributes: HttpOnly, SameSite=Lax, Secure only when PUBLIC_URL is https. */
export function cookieOptions({ secure, maxAgeSeconds }: { secure: boolean; maxAgeSeconds: number }) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure, maxAge: maxAgeSeconds };
}
