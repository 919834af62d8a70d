/** Reads the `?feedback=` marker the feedback endpoint redirects back with. */
export function feedbackState(url: URL): 'thanks' | { error: string } | null {
  const v = url.searchParams.get('feedback');
  if (v === 'thanks') return 'thanks';
  if (v === 'invalid') return { error: url.searchParams.get('message')?.slice(0, 100) ?? '' };
  return null;
}
