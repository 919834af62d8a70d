import { createErrorFactory } from '../shared/errors.ts';

export const createQuestionNotFoundError = createErrorFactory({ code: 'questions.not_found', message: '未找到该问题，或您没有查看它的权限。', status: 404 });
export const createAnonymousAskClosedError = createErrorFactory({ code: 'questions.sign_in_required', message: '请先登录再提问。', status: 401 });
export const createIdempotencyMismatchError = createErrorFactory({
  code: 'questions.idempotency_mismatch',
  message: '同一个 Idempotency-Key 已用于另一份不同的提交。',
  status: 422,
});
export const createStaleVersionError = createErrorFactory({
  code: 'questions.stale',
  message: '该问题刚刚被其他人更新过，请刷新页面查看最新情况后再操作。',
  status: 409,
});
export const createQuestionStateError = createErrorFactory({ code: 'questions.state', message: '该问题当前的状态不允许此操作。', status: 409 });
