import type { MailInput } from './mail.outbox.ts';

/** zh-CN mail texts. Links are one-time; the mail says how long they last. */
export function inviteMail({ to, name, link, hours }: { to: string; name: string; link: string; hours: number }): MailInput {
  return {
    kind: 'account.invite',
    to: [to],
    subject: '【答疑】您的账号已开通，请设置密码',
    text:
      `${name}，您好：\n\n系统管理员已为您开通“答疑”帮助中心账号（${to}）。\n` +
      `请在 ${hours} 小时内打开下面的链接设置登录密码（链接只能使用一次）：\n\n${link}\n\n` +
      `如果您没有申请过账号，请忽略本邮件。\n\n—— 答疑 · 公共信用信息平台帮助中心`,
  };
}

export function resetMail({ to, name, link, minutes }: { to: string; name: string; link: string; minutes: number }): MailInput {
  return {
    kind: 'account.reset',
    to: [to],
    subject: '【答疑】重置密码',
    text:
      `${name}，您好：\n\n有人请求重置您在“答疑”帮助中心的密码。如果是您本人操作，请在 ${minutes} 分钟内打开下面的链接设置新密码（链接只能使用一次）：\n\n${link}\n\n` +
      `如果不是您本人操作，请忽略本邮件，您的密码不会改变。\n\n—— 答疑 · 公共信用信息平台帮助中心`,
  };
}
