/**
 * A User-Agent header as people name their device: "Chrome · Windows",
 * "微信 · iOS", "360 安全浏览器 · Windows". Only what the session list needs;
 * not a full parser (ua-parser-js 2 is AGPL, and the names we show are few).
 */

/** Browsers in the order they must be tested: the ones built on Chromium say "Chrome" too, and Chrome says "Safari". */
const BROWSERS: readonly [RegExp, string][] = [
  [/MicroMessenger\//, '微信'],
  [/DingTalk\//, '钉钉'],
  [/QQBrowser\//, 'QQ 浏览器'],
  [/360SE|360EE|QihooBrowser/, '360 安全浏览器'],
  [/QAXBrowser|QiAnXin/i, '奇安信浏览器'],
  [/UCBrowser\//, 'UC 浏览器'],
  [/SogouMobileBrowser|SE \d.*MetaSr/, '搜狗浏览器'],
  [/HuaweiBrowser\//, '华为浏览器'],
  [/MiuiBrowser\//, '小米浏览器'],
  [/Edg(?:e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/YaBrowser\//, 'Yandex'],
  [/SamsungBrowser\//, '三星浏览器'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/HeadlessChrome\//, 'Chrome（无界面）'],
  [/Chrome\/|CriOS\//, 'Chrome'],
  [/Trident\/|MSIE /, 'Internet Explorer'],
  [/Version\/[\d.]+.*Safari\//, 'Safari'],
  [/curl\//, 'curl'],
];

/** Operating systems; iOS and Android before the desktop systems whose names their headers contain. */
const SYSTEMS: readonly [RegExp, string][] = [
  [/HarmonyOS|OpenHarmony/, 'HarmonyOS'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Android/, 'Android'],
  [/CrOS/, 'ChromeOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux|X11/, 'Linux'],
];

const name = (table: readonly [RegExp, string][], ua: string) => table.find(([re]) => re.test(ua))?.[1];

/**
 * "Browser · OS" for a User-Agent header; whichever part is unknown is left
 * out, and null when neither is known (the page shows "未知" for it).
 */
export function describeUserAgent(ua: string | null | undefined): string | null {
  if (!ua) return null;
  const parts = [name(BROWSERS, ua), name(SYSTEMS, ua)].filter((p): p is string => p !== undefined);
  return parts.length ? parts.join(' · ') : null;
}
