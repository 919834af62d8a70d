import type { APIRoute } from 'astro';
import { createQuestion } from '../../server/questions/questions.usecases.ts';
import { questionDeps } from '../../server/questions/questions.context.ts';
import { AppError, errorResponse } from '../../server/shared/errors.ts';
import { readJsonObject } from '../../server/shared/forms.ts';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * POST /api/questions — asks a question from a script or an integration:
 * `{ kind, severity?, title, body, email, phone?, unit?, name? }` → 201
 * `{ id, number, trackingUrl }`. An `Idempotency-Key` header makes a retry
 * answer with the first result (and `Idempotent-Replayed: true`).
 */
export const POST: APIRoute = async ({ request, locals }) => {
  try {
    if (!(request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json'))
      throw new AppError('request.unsupported_type', '请以 JSON 提交（Content-Type: application/json）。', 415);
    const key = request.headers.get('idempotency-key');
    if (key !== null && !IDEMPOTENCY_KEY.test(key)) throw new AppError('validation.failed', 'Idempotency-Key 须为 1–200 个可见 ASCII 字符。', 400, { 'Idempotency-Key': '格式不正确。' });
    const { question, replayed } = await createQuestion({
      ...questionDeps(locals),
      input: await readJsonObject(request),
      asker: locals.user ? { kind: 'user', user: locals.user } : { kind: 'anonymous' },
      channel: 'api',
      clientIp: locals.clientIp,
      idempotencyKey: key,
    });
    return Response.json(question, { status: 201, headers: replayed ? { 'Idempotent-Replayed': 'true' } : {} });
  } catch (e) {
    return errorResponse(e, locals.runtime.log);
  }
};
