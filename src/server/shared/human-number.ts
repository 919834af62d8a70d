import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../../db/client.ts';
import { dailySequences } from '../../../db/schema/index.ts';
import { formatHumanNumber, humanNumberDay } from './ids.ts';

/**
 * Takes the next human-readable number in `scope` for the local day of `now`
 * (e.g. question 20261124-0007). Safe under concurrency: one upsert per call.
 */
export async function nextHumanNumber({
  db,
  scope,
  now,
  timeZone,
}: {
  db: DbOrTx;
  scope: string;
  now: Date;
  timeZone: string;
}): Promise<{ number: string }> {
  const day = humanNumberDay(now, timeZone);
  const [row] = await db
    .insert(dailySequences)
    .values({ scope, day, value: 1 })
    .onConflictDoUpdate({
      target: [dailySequences.scope, dailySequences.day],
      set: { value: sql`${dailySequences.value} + 1` },
    })
    .returning({ value: dailySequences.value });
  return { number: formatHumanNumber(now, row!.value, timeZone) };
}
