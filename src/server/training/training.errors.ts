import { createErrorFactory } from '../shared/errors.ts';

export const createTrainingNotFoundError = createErrorFactory({ code: 'training.not_found', message: '未找到该培训，或您没有查看它的权限。', status: 404 });
export const createTrainingStaleError = createErrorFactory({
  code: 'training.stale',
  message: '该培训刚刚被其他人修改过，请刷新页面查看最新内容后再保存。',
  status: 409,
});
export const createTrainingStateError = createErrorFactory({ code: 'training.state', message: '该培训当前的状态不允许此操作。', status: 409 });
export const createNotInvitedError = createErrorFactory({ code: 'training.not_invited', message: '您不在这次培训的受邀名单中。', status: 403 });
export const createTrainingFullError = createErrorFactory({ code: 'training.full', message: '这次培训的名额已满，无法再确认参加。', status: 409 });

/** A confirmation after the deadline (three days before the first lesson): says until when it was possible. */
export function createResponseClosedError(deadline: string) {
  return createErrorFactory({ code: 'training.response_closed', message: `确认参加的截止时间（${deadline}）已过，如需变更请直接联系培训讲师。`, status: 409 })();
}

/** A sign-in outside the lesson's window: says when the window is. */
export function createCheckinClosedError(from: string, to: string) {
  return createErrorFactory({ code: 'training.checkin_closed', message: `现在不在签到时间内。本场次的签到时间为 ${from} 至 ${to}。`, status: 409 })();
}
export const createUnknownCodeError = createErrorFactory({ code: 'training.code_unknown', message: '签到码不正确，请核对现场显示的 6 位数字。', status: 400 });
