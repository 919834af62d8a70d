import { v7 } from 'uuid';
import { formatInTimeZone } from './time.ts';

/** uuidv7 primary keys: time-ordered, so indexes stay compact. */
export function newId(): string {
  return v7();
}

/** Whether `value` has the shape of a uuid; check ids from URLs and forms before they reach a query (PostgreSQL refuses anything else with an error). */
export function isUuid(value: string | null | undefined): value is string {
  return typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/**
 * The number people quote for a record ("问题 20261124-0007"): the local date
 * in APP_TIME_ZONE and a per-day sequence.
 */
export function formatHumanNumber(date: Date, sequence: number, timeZone: string): string {
  const p = formatInTimeZone(date, timeZone);
  return `${p.year}${p.month}${p.day}-${String(sequence).padStart(4, '0')}`;
}

/** The local calendar day in APP_TIME_ZONE that a human number's sequence counts within. */
export function humanNumberDay(date: Date, timeZone: string): string {
  const p = formatInTimeZone(date, timeZone);
  return `${p.year}${p.month}${p.day}`;
}
