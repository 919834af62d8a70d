import type { MessageKey } from '../i18n/zh-CN.ts';

/** Why a vote was refused, as the feedback endpoint names it in `?reason=`; never free text from the URL. */
export const feedbackReasons = ['comment', 'helpful', 'page', 'rate_limited'] as const;
export type FeedbackReason = (typeof feedbackReasons)[number] | 'invalid';

/** Reads the `?feedback=` marker the feedback endpoint redirects back with; the message is one of ours. */
export function feedbackState(url: URL): 'thanks' | { error: MessageKey } | null {
  const v = url.searchParams.get('feedback');
  if (v === 'thanks') return 'thanks';
  if (v !== 'invalid') return null;
  const reason = url.searchParams.get('reason');
  const known = feedbackReasons.find((r) => r === reason);
  return { error: `feedback.reason.${known ?? 'invalid'}` as const };
}
