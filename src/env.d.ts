/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    runtime: import('./server/runtime/runtime.ts').Runtime;
    requestId: string;
    /** The client address: X-Forwarded-For only when TRUST_PROXY is on. */
    clientIp: string | null;
  }
}
