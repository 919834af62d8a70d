import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { APIRoute } from 'astro';
import { canView } from '../../server/content/content.access.ts';
import { resolveInside } from '../../server/shared/paths.ts';

const TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
};

/**
 * Images that content files reference, served from CONTENT_DIR. An image has the
 * strictest access of the pages that reference it; one no page references is
 * staff-only. Whatever the viewer may not see is a 404, as if it did not exist.
 */
export const GET: APIRoute = async ({ params, locals }) => {
  const rel = path.posix.normalize(params.path ?? '');
  const type = TYPES[path.extname(rel).toLowerCase()];
  const access = locals.runtime.content.store().assets.get(rel) ?? 'staff';
  if (!type || !canView(locals.user, access)) return new Response(null, { status: 404 });
  // Checked again now: the file may have become a symlink out of CONTENT_DIR since it was loaded.
  const file = await resolveInside(locals.runtime.config.contentDir, rel);
  const body = file ? await readFile(file).catch(() => null) : null;
  if (!body) return new Response(null, { status: 404 });
  return new Response(new Uint8Array(body), {
    headers: {
      'Content-Type': type,
      // Shared caches may keep only what everyone may see.
      'Cache-Control': `${access === 'public' ? 'public' : 'private'}, max-age=300`,
      // An SVG opened directly must not run scripts.
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    },
  });
};
