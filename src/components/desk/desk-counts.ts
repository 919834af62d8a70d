/**
 * Keeps the desk header's queue counts fresh: every 30 s (and when the tab
 * comes back into view) it asks GET /api/desk/counts and writes each number
 * into the element marked `data-count="<queue>"`. Without JavaScript the
 * counts are those of the page load.
 */
const POLL_MS = 30_000;

type Counts = Record<string, unknown>;

/** Starts polling for one desk header. */
export function pollDeskCounts(root: HTMLElement): void {
  const update = async () => {
    if (document.hidden) return;
    let counts: Counts;
    try {
      const res = await fetch('/api/desk/counts', { headers: { Accept: 'application/json' } });
      // Signed out or no longer an engineer: the page itself will say so on the next load.
      if (!res.ok) return;
      counts = (await res.json()) as Counts;
    } catch {
      return; // offline for a moment; the next poll tries again
    }
    for (const el of root.querySelectorAll<HTMLElement>('[data-count]')) {
      const n = counts[el.dataset.count ?? ''];
      if (typeof n !== 'number') continue;
      el.textContent = String(n);
      el.classList.toggle('zero', n === 0);
    }
  };
  window.setInterval(() => void update(), POLL_MS);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) void update();
  });
}
