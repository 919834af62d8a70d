/**
 * Chinese mail clients label mail `gb2312` (or `GBK`) and then write
 * characters outside it: 镕, 喆, or 𠮷, which only GB18030 has. libmime
 * decodes those labels as GBK, so a GB18030 four-byte character comes out as
 * garbage. GB18030 is a superset of both, so decoding such mail as GB18030 is
 * always right: this relabels the charset in the MIME headers of a raw
 * message — Content-Type parameters, RFC 2047 encoded words, RFC 2231
 * parameters — before mailparser reads it. Bodies are left alone.
 */
const GB_LABELS = 'gb2312|gb_2312(?:-80)?|gbk|x-gbk|csgb2312|cp936|ms936|windows-936|euc-cn|x-euc-cn';

const CONTENT_TYPE_CHARSET = new RegExp(`(charset\\s*=\\s*"?)(?:${GB_LABELS})(?=["\\s;]|$)`, 'gi');
const ENCODED_WORD = new RegExp(`=\\?(?:${GB_LABELS})(\\*[a-z-]+)?\\?([bq])\\?`, 'gi');
const RFC2231 = new RegExp(`(\\*\\s*=\\s*)(?:${GB_LABELS})'`, 'gi');

function relabelHeaderLine(line: string): string {
  return line
    .replace(CONTENT_TYPE_CHARSET, '$1gb18030')
    .replace(ENCODED_WORD, (_m, lang: string | undefined, enc: string) => `=?gb18030${lang ?? ''}?${enc}?`)
    .replace(RFC2231, "$1gb18030'");
}

/**
 * The raw message with GB2312/GBK labels in its header blocks (the message's
 * and each MIME part's) read as GB18030. Works on bytes as latin1, so nothing
 * else in the message changes.
 */
export function relabelGbCharsets(raw: Buffer): Buffer {
  const text = raw.toString('latin1');
  if (!/gb|cp936|ms936|windows-936|euc-cn/i.test(text)) return raw;
  const lines = text.split('\n');
  const boundaries = new Set<string>();
  let inHeader = true;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const bare = line.replace(/\r$/, '');
    if (inHeader) {
      if (bare === '') {
        inHeader = false;
        continue;
      }
      const boundary = /boundary\s*=\s*"?([^";\r\n]+)"?/i.exec(bare);
      if (boundary) boundaries.add(boundary[1]!.trim());
      lines[i] = relabelHeaderLine(line);
    } else if (bare.startsWith('--')) {
      const mark = bare.slice(2).trimEnd();
      // "--boundary" opens a part's header block; "--boundary--" ends the multipart.
      if (boundaries.has(mark)) inHeader = true;
    }
  }
  return Buffer.from(lines.join('\n'), 'latin1');
}
