import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { APIRoute } from 'astro';
import { canView } from '../../server/content/content.access.ts';

const TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
};

/**
 * Images that content files reference, served from CONTENT_DIR. An image in a
 * manual's folder has that manual's access level.
 */
export const GET: APIRoute = async ({ params, locals }) => {
  const rel = path.posix.normalize(params.path ?? '');
  const type = TYPES[path.extname(rel).toLowerCase()];
  if (!type || rel.startsWith('..') || path.isAbsolute(rel)) return new Response(null, { status: 404 });
  const store = locals.runtime.content.store();
  const manual = /^manuals\/([^/]+)\//.exec(rel)?.[1];
  const access = manual ? store.manuals.find((m) => m.slug === manual)?.access : 'public';
  if (!access || !canView(locals.user, access)) return new Response(null, { status: 404 });
  let body: Buffer;
  try {
    body = await readFile(path.join(locals.runtime.config.contentDir, rel));
  } catch {
    return new Response(null, { status: 404 });
  }
  return new Response(new Uint8Array(body), {
    headers: {
      'Content-Type': type,
      'Cache-Control': 'public, max-age=300',
      // An SVG opened directly must not run scripts.
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    },
  });
};
