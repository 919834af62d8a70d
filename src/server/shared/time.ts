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

/**
 * The instant a `datetime-local` value ("2026-11-24T14:05") names in
 * `timeZone`; null for anything else, including a day that does not exist
 * ("2026-02-30T10:00") or a wall time a DST change skips.
 */
export function parseLocalDateTime(value: string, timeZone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d{1,3})?)?$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1, 6).map(Number) as [number, number, number, number, number];
  const guess = Date.UTC(y, mo - 1, d, h, mi);
  const p = formatInTimeZone(new Date(guess), timeZone);
  const shownAsUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
  const date = new Date(guess - (shownAsUtc - guess));
  // Round trip: a value the calendar or the zone does not have reads back differently.
  return Number.isNaN(date.getTime()) || formatLocalDateTime(date, timeZone) !== `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}` ? null : date;
}

/** "2026-11-24T14:05": `date` in `timeZone` as a `datetime-local` input shows it. */
export function formatLocalDateTime(date: Date, timeZone: string): string {
  const p = formatInTimeZone(date, timeZone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** "2026-11-24": the calendar day `date` falls on in `timeZone`. */
export function localDay(date: Date, timeZone: string): string {
  const p = formatInTimeZone(date, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}

/** The calendar day `days` after `day` ("2026-11-24" + 1 → "2026-11-25"); zone-free date arithmetic. */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Day of the week of a calendar day: 0 Sunday … 6 Saturday. */
export function weekdayOf(day: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/**
 * The instant the wall clock in `timeZone` shows `time` ("08:30") on `day`.
 * A wall time a DST change skips counts from the start of the day instead.
 */
export function instantAt(day: string, time: string, timeZone: string): Date {
  const exact = parseLocalDateTime(`${day}T${time}`, timeZone);
  if (exact) return exact;
  const [h, mi] = time.split(':').map(Number) as [number, number];
  return new Date(startOfDayInZone(day, timeZone).getTime() + (h * 60 + mi) * 60_000);
}
