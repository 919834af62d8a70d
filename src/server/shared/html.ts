const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe inside HTML or SVG, escaped as Astro escapes text in a page (`& < > " '`). */
export const escapeText = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
