/**
 * What the sender wrote, without the history their client quoted below it and
 * without their signature. Mail clients mark the quoted part in their own ways;
 * the first line that starts one of them cuts the rest of the message.
 */

/** A line that starts the quoted original: everything from it on is history. */
const HISTORY_STARTS: RegExp[] = [
  // QQ Mail, Foxmail: "------------------ 原始邮件 ------------------"
  /^-{2,}\s*原始邮件\s*-{2,}$/,
  // Outlook: "-----Original Message-----", "-----原始邮件-----"
  /^-{2,}\s*(Original Message|Forwarded message|转发邮件|邮件原文)\s*-{2,}$/i,
  // Foxmail, NetEase 163/126, Sina: "在 2026-11-25 09:30:12，"张三" <a@b.cn> 写道：", "在 2026年11月25日 09:30，xxx 写道："
  /^(在|于)\s*\d{4}.{0,200}(写道|寫道)\s*[:：]?$/,
  // Gmail in Chinese: "张三 <a@b.cn> 于2026年11月25日周三 09:30写道："
  /^.{0,200}于\s*\d{4}\s*年.{0,60}(写道|寫道)\s*[:：]$/,
  // Gmail, Apple Mail, Thunderbird: "On Wed, Nov 25, 2026 at 9:30 AM 张三 <a@b.cn> wrote:"
  /^On\s.{0,300}\swrote:$/i,
];

/** The first line of a header block that Outlook (and QQ Mail) put above the quoted original. */
const HEADER_BLOCK_START = /^\*?\s*(From|发件人|寄件者)\s*\*?\s*[:：]/i;
/** Lines that, within the next few, confirm it is a header block and not a sentence starting with "From:". */
const HEADER_BLOCK_FIELD = /^\*?\s*(Sent|Date|To|Subject|发送时间|时间|日期|收件人|主题|抄送|Cc)\s*\*?\s*[:：]/i;

/** A signature separator ("-- ", RFC 3676) or a mobile client's sign-off. */
const SIGNATURE_STARTS: RegExp[] = [
  /^--\s?$/,
  /^(发自|来自|從|从)我的\s?(iPhone|iPad|Android|华为|小米|手机|荣耀|OPPO|vivo|HUAWEI).*$/i,
  /^Sent from my \S.*$/i,
  /^(发自|来自)\s?(网易邮箱|QQ邮箱|手机QQ邮箱|Outlook|邮箱大师|Mail for Windows|企业微信|钉钉).*$/i,
  /^Get Outlook for (iOS|Android).*$/i,
];

function startsHistory(lines: string[], i: number): boolean {
  const line = lines[i]!.trim();
  if (HISTORY_STARTS.some((re) => re.test(line))) return true;
  // Gmail wraps a long attribution over two lines.
  if (/^On\s/i.test(line) && /^On\s.{0,300}\swrote:$/i.test(`${line} ${lines[i + 1]?.trim() ?? ''}`)) return true;
  if (HEADER_BLOCK_START.test(line)) {
    // Outlook's block has From/Sent/To/Subject on consecutive lines (blank lines between them in some versions).
    const next = lines.slice(i + 1, i + 8).filter((l) => l.trim());
    return next.slice(0, 4).filter((l) => HEADER_BLOCK_FIELD.test(l.trim())).length >= 2;
  }
  // A run of "> " lines at the end, with or without an attribution line above it.
  if (line.startsWith('>')) return lines.slice(i).every((l) => !l.trim() || l.trim().startsWith('>'));
  return false;
}

/**
 * The new text of a reply: everything above the first quoted-history marker
 * (QQ Mail, Foxmail, Outlook in English and Chinese, NetEase, Gmail, `>`
 * lines) and above the signature ("-- ", "发自我的iPhone"…). `>` lines between
 * the sender's own paragraphs (an inline answer) are dropped, the rest kept.
 * A message that is nothing but quotes keeps its text, so nothing sent is lost.
 */
export function stripQuoted(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\u00a0/g, ' ').split('\n');
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    if (startsHistory(lines, i)) {
      end = i;
      break;
    }
  }
  let kept = lines.slice(0, end);
  const signature = kept.findIndex((l) => SIGNATURE_STARTS.some((re) => re.test(l.trim())));
  if (signature >= 0) kept = kept.slice(0, signature);
  kept = kept.filter((l) => !l.trim().startsWith('>'));
  // Outlook draws a line of underscores above its header block; Foxmail signs with the bare address.
  while (kept.length && /^\s*([_=*-]{5,}|[^\s@<>]+@[^\s@<>]+)?\s*$/.test(kept.at(-1)!)) kept.pop();
  return kept.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}
