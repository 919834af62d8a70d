import { t } from '../../i18n/t.ts';
import { COURSEWARE_VERSION } from '../content/content.schemas.ts';

/** The message a course page shows after a redirect (`?done=…`); only known codes and well-formed values are shown. */
export function coursewareNotice(url: URL): string | null {
  const done = url.searchParams.get('done');
  const v = url.searchParams.get('v') ?? '';
  const version = COURSEWARE_VERSION.test(v) ? v : '';
  const n = Number(url.searchParams.get('n') ?? '0');
  switch (done) {
    case 'followed':
      return t('courseware.followed');
    case 'unfollowed':
      return t('courseware.unfollowed');
    case 'published':
      return Number.isInteger(n) && n > 0 ? t('courseware.publishedMailed', { version, n }) : t('courseware.published', { version });
    case 'created':
      return t('courseware.created', { version });
    default:
      return null;
  }
}
