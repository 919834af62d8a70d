import type { MailInput } from '../mail/mail.outbox.ts';

/** The survey mail to a unit's contact person, or its one reminder. */
export function surveyMail({ to, name, unit, period, link, reminder }: { to: string; name: string; unit: string; period: string; link: string; reminder: boolean }): MailInput {
  return {
    kind: reminder ? 'survey.reminder' : 'survey.invite',
    to: [to],
    subject: `【答疑】${reminder ? '提醒：' : ''}请填写${period}用户服务质量调查表（${unit}）`,
    text:
      `${name ? `${name}，` : ''}您好：\n\n` +
      (reminder ? `${unit}的${period}用户服务质量调查表还没有填写。` : `请代表${unit}对${period}答疑帮助中心和值班工程师的服务作出评价。`) +
      `调查表共四项评分和一项改进建议，约需 1 分钟；每个单位每月填写一份：\n\n${link}\n\n` +
      `链接仅供本单位使用，请勿转发。评价结果会汇总进月度服务总结报告，用于改进服务。\n\n—— 答疑 · 公共信用信息平台帮助中心`,
  };
}
