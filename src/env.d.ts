/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    runtime: import('./server/runtime/runtime.ts').Runtime;
    requestId: string;
    /** The client address: X-Forwarded-For only when TRUST_PROXY is on. */
    clientIp: string | null;
    /** The signed-in user, or null. Resolved once by the middleware. */
    user: import('./server/auth/auth.sessions.ts').AuthUser | null;
    session: import('lucia').Session | null;
    /** The anonymous visitor cookie, for one vote per visitor; null until one is set. */
    visitorId: string | null;
  }
}
