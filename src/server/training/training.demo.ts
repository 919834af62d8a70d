import { inArray } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { trainingInvitations, trainingSessions, users } from '../../../db/schema/index.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import { addLesson } from './training.usecases.ts';
import { formatLocalDateTime } from '../shared/time.ts';

/**
 * Embedded demo mode only, right after the demo accounts were made: one
 * published training by the demo trainer for the demo member, with a lesson
 * running now (so its code can be tried at once). No mail and no home-page
 * announcement are written; the invitation is there as if the notice went out.
 */
export async function seedDemoTraining({ db, clock, timeZone }: { db: Db; clock: Clock; timeZone: string }): Promise<{ title: string; code: string } | null> {
  const people = await db.select().from(users).where(inArray(users.email, ['trainer@demo.dayi', 'member@demo.dayi']));
  const trainer = people.find((p) => p.email === 'trainer@demo.dayi');
  const member = people.find((p) => p.email === 'member@demo.dayi');
  if (!trainer || !member || (await db.select({ id: trainingSessions.id }).from(trainingSessions).limit(1)).length) return null;
  const now = clock.now();
  const [training] = await db
    .insert(trainingSessions)
    .values({
      id: newId(),
      title: '示例培训：信用信息报送操作',
      trainerId: trainer.id,
      form: 'lecture',
      status: 'published',
      audience: { userIds: [member.id], unitIds: [], roles: [] },
      plan: {
        audienceKind: '成员单位用户',
        goals: '掌握信用信息报送、查询和撤回的操作',
        content: '一、报送流程\n二、常见错误与撤回',
        organizer: '示例成员单位',
        assessment: '上机操作',
        passScore: 60,
        notes: '演示数据：签到码可以直接试用。',
      },
      noticeSentAt: now,
      createdById: trainer.id,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  const at = (minutes: number) => formatLocalDateTime(new Date(now.getTime() + minutes * 60_000), timeZone);
  const { lesson } = await addLesson({ db, clock, timeZone, training: training!, input: { topic: '报送与撤回', startsAt: at(-15), endsAt: at(180), place: '示例培训室' } });
  await db.insert(trainingInvitations).values({ sessionId: training!.id, userId: member.id, invitedAt: now });
  return { title: training!.title, code: lesson.checkinCode };
}
