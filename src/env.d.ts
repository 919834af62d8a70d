/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    runtime: import('./server/runtime/runtime.ts').Runtime;
    requestId: string;
    /** The client address, resolved once (src/server/http/client-address.ts). */
    clientIp: string | null;
    /** The signed-in user, or null. Resolved once by the middleware. */
    user: import('./server/auth/auth.sessions.ts').AuthUser | null;
    session: import('lucia').Session | null;
    /** The session as the front layer checked it, when it did (src/server/http/shared-pages.ts): the middleware then does not check again. */
    sessionCheck?: import('./server/http/shared-pages.ts').SessionCheck;
    /** The anonymous visitor cookie, for one vote per visitor; null until one is set. */
    visitorId: string | null;
    /** Set when a page failed: what the error page shows (null message: the generic text). */
    failure?: { status: number; message: string | null };
  }
}
