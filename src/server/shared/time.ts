const partsCache = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = partsCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    partsCache.set(timeZone, f);
  }
  return f;
}

/** Calendar fields of `date` as seen in `timeZone`, zero-padded. */
export function formatInTimeZone(date: Date, timeZone: string) {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(date).map((p) => [p.type, p.value]));
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
  };
}

/** "2026年11月24日 14:05" — how times are shown everywhere in the UI. */
export function formatDateTimeZh(date: Date, timeZone: string): string {
  const p = formatInTimeZone(date, timeZone);
  return `${p.year}年${Number(p.month)}月${Number(p.day)}日 ${p.hour}:${p.minute}`;
}

/** "2026年11月24日" */
export function formatDateZh(date: Date, timeZone: string): string {
  const p = formatInTimeZone(date, timeZone);
  return `${p.year}年${Number(p.month)}月${Number(p.day)}日`;
}

/** The instant a calendar day ("2026-11-24") begins in `timeZone`. */
export function startOfDayInZone(day: string, timeZone: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  const p = formatInTimeZone(new Date(guess), timeZone);
  const shownAsUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
  return new Date(guess - (shownAsUtc - guess));
}
