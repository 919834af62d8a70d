import { readFile } from 'node:fs/promises';
import type { APIRoute } from 'astro';
import { KEPT_MAIL_NAME } from '../../../server/mail/mail.admin.ts';
import { readableEml } from '../../../server/mail/mail.eml.ts';
import { resolveInside } from '../../../server/shared/paths.ts';

/**
 * One mail kept as a file (no SMTP_URL), for admins (the route rule): read as
 * plain text with `?view=1` (headers and body decoded), else downloaded as the
 * `.eml` file itself. Any other name, a missing file or one outside
 * DATA_DIR/mail is a 404.
 */
export const GET: APIRoute = async ({ params, url, locals }) => {
  const { mail } = locals.runtime.config;
  const name = params.file ?? '';
  if (mail.kind !== 'files' || !KEPT_MAIL_NAME.test(name)) return new Response(null, { status: 404 });
  const file = await resolveInside(mail.dir, name);
  const body = file ? await readFile(file).catch(() => null) : null;
  if (!body) return new Response(null, { status: 404 });
  const view = url.searchParams.get('view') === '1';
  return new Response(view ? await readableEml(body) : new Uint8Array(body), {
    headers: {
      'Content-Type': view ? 'text/plain; charset=utf-8' : 'message/rfc822',
      'Content-Disposition': view ? 'inline' : `attachment; filename="${name}"`,
      // Links in kept mail (password resets) are secrets: never cached.
      'Cache-Control': 'private, no-store',
      'Content-Security-Policy': "default-src 'none'; sandbox",
    },
  });
};
