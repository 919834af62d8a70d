import { trainingForms } from '../../../db/schema/index.ts';
import { t } from '../../i18n/t.ts';
import type { MailInput } from '../mail/mail.outbox.ts';
import { compose, subjectOf } from '../questions/questions.mail.ts';
import { formatDateTimeZh, formatDateZh, formatInTimeZone } from '../shared/time.ts';
import type { LessonRow, TrainingRow } from './training.usecases.ts';

export const formLabel = (form: (typeof trainingForms)[number]) => t(`training.form.${form}`);

/** "2026年12月1日 09:00–12:00 · 三楼会议室": one lesson on one line. */
export function lessonLine(l: Pick<LessonRow, 'startsAt' | 'endsAt' | 'place' | 'onlineUrl' | 'topic'>, timeZone: string): string {
  const sameDay = formatDateZh(l.endsAt, timeZone) === formatDateZh(l.startsAt, timeZone);
  const e = formatInTimeZone(l.endsAt, timeZone);
  const where = [l.place, l.onlineUrl].filter(Boolean).join('，');
  return `${formatDateTimeZh(l.startsAt, timeZone)}–${sameDay ? `${e.hour}:${e.minute}` : formatDateTimeZh(l.endsAt, timeZone)}${where ? ` · ${where}` : ''}${l.topic ? ` · ${l.topic}` : ''}`;
}

/** The notice (培训通知) to one invitee: what, when, where, and until when to confirm. */
export function noticeMail({
  training,
  lessons,
  trainerName,
  to,
  deadline,
  url,
  timeZone,
}: {
  training: TrainingRow;
  lessons: LessonRow[];
  trainerName: string;
  to: { name: string; email: string };
  deadline: Date;
  url: string;
  timeZone: string;
}): MailInput {
  const p = training.plan;
  return {
    kind: 'training.notice',
    to: [to.email],
    subject: `[答疑 培训通知] ${training.title}`,
    ...compose(
      [
        `${to.name}，您好：`,
        `您受邀参加培训“${training.title}”（${formLabel(training.form)}，讲师 ${trainerName}）。`,
        `场次安排：\n${lessons.map((l, i) => `${i + 1}. ${lessonLine(l, timeZone)}`).join('\n')}`,
        ...(p.goals ? [`培训目标：${p.goals}`] : []),
        ...(p.assessment ? [`考核方式：${p.assessment}${p.passScore !== null ? `，${p.passScore} 分合格` : ''}`] : []),
        ...(p.notes ? [p.notes] : []),
        `请在 ${formatDateTimeZh(deadline, timeZone)} 前登录答疑确认是否参加；之后如需变更，请直接联系讲师。`,
      ],
      { link: url, linkLabel: '确认参加' },
    ),
  };
}

/** To the trainee: their question from class is recorded and will be answered before the next lesson. */
export function classQuestionMail({
  question,
  training,
  trainerName,
  dueAt,
  trackingUrl,
  timeZone,
}: {
  question: { number: string; title: string; contactName: string; contactEmail: string };
  training: { title: string };
  trainerName: string;
  dueAt: Date | null;
  trackingUrl: string;
  timeZone: string;
}): MailInput {
  return {
    kind: 'question.receipt',
    to: [question.contactEmail],
    subject: subjectOf(question),
    ...compose(
      [
        `${question.contactName}，您好：`,
        `您在培训“${training.title}”中提出的问题“${question.title}”已由讲师 ${trainerName} 登记，编号 ${question.number}。`,
        dueAt ? `讲师会在 ${formatDateTimeZh(dueAt, timeZone)} 前答复，答复会通过邮件通知您。` : '讲师会尽快答复，答复会通过邮件通知您。',
        '下面的链接是您查看处理进度、补充说明和评价的专用链接，无需登录即可打开，请不要转发给他人。',
      ],
      { link: trackingUrl, linkLabel: '查看处理进度' },
    ),
  };
}
