/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    runtime: import('./server/runtime/runtime.ts').Runtime;
    requestId: string;
    /** The client address: X-Forwarded-For only when TRUST_PROXY is on. */
    clientIp: string | null;
    /** Who is looking; null for an anonymous visitor (accounts come with the auth module). */
    viewer: import('./server/content/content.access.ts').Viewer | null;
    /** The anonymous visitor cookie, for one vote per visitor; null until one is set. */
    visitorId: string | null;
  }
}
