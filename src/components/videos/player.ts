/**
 * The video page's behaviour on top of what works without JavaScript (the
 * native player, `#t=` media fragments, links to `?t=`): clicking a
 * transcript line or chapter seeks there instead of reloading; the line being
 * spoken is highlighted and kept in view inside the transcript box; "从头播放"
 * restarts a resumed video; and progress is reported — when playback starts,
 * every 15 s while it plays, on pause, at the end and when the page is left —
 * so views, completion (≥ 90 % played) and a signed-in viewer's position are
 * kept. Only seconds actually played count: seeking ahead adds nothing.
 */
const REPORT_EVERY_MS = 15_000;

export function attachPlayer(root: HTMLElement): void {
  const video = root.querySelector<HTMLVideoElement>('video');
  if (!video) return;
  const progressUrl = root.dataset.progressUrl!;
  const lines = [...root.querySelectorAll<HTMLAnchorElement>('[data-cue]')];
  const starts = lines.map((a) => Number(a.dataset.start));
  const transcript = root.querySelector<HTMLElement>('[data-transcript]');

  const seek = (seconds: number, play = true) => {
    video.currentTime = seconds;
    if (play) void video.play().catch(() => {});
  };
  root.addEventListener('click', (e) => {
    const link = (e.target as Element).closest<HTMLAnchorElement>('a[data-start]');
    if (link && root.contains(link)) {
      e.preventDefault();
      seek(Number(link.dataset.start));
      history.replaceState(null, '', `?t=${Math.floor(Number(link.dataset.start))}`);
    }
    if ((e.target as Element).closest('[data-from-start]')) {
      e.preventDefault();
      seek(0);
      root.querySelector('[data-resumed]')?.remove();
    }
  });

  // The current line: the last cue that started at or before the playhead.
  let current = -1;
  const highlight = () => {
    const t = video.currentTime;
    let i = -1;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= t + 0.05) {
        i = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (i >= 0 && t > Number(lines[i]!.dataset.end) + 1) i = -1;
    if (i === current) return;
    if (current >= 0) lines[current]!.removeAttribute('aria-current');
    current = i;
    if (i < 0) return;
    const line = lines[i]!;
    line.setAttribute('aria-current', 'true');
    // Scrolls the transcript box only, never the page under the reader.
    if (transcript && !transcript.matches(':hover')) {
      const top = line.offsetTop - transcript.offsetTop;
      if (top < transcript.scrollTop || top > transcript.scrollTop + transcript.clientHeight - line.offsetHeight) transcript.scrollTop = top - transcript.clientHeight / 3;
    }
  };

  // Seconds played in this view, sampled while playing (not while seeking).
  const played = new Set<number>();
  let last = -1;
  video.addEventListener('timeupdate', () => {
    highlight();
    const t = video.currentTime;
    if (!video.paused && !video.seeking && last >= 0 && t >= last && t - last < 1.5) for (let s = Math.floor(last); s <= Math.floor(t); s++) played.add(s);
    last = video.seeking ? -1 : t;
  });
  video.addEventListener('seeking', () => {
    last = -1;
  });

  let view: string | null = null;
  let queue: Promise<void> = Promise.resolve();
  let started = false;
  const report = () => {
    if (!started) return;
    const body = () => JSON.stringify({ view, position: video.currentTime, watched: played.size, duration: Number.isFinite(video.duration) ? video.duration : 0 });
    // One at a time: the first answer names the view the next reports update.
    queue = queue.then(async () => {
      try {
        const res = await fetch(progressUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body(), keepalive: true, credentials: 'same-origin' });
        if (res.ok) view = ((await res.json()) as { view: string }).view;
      } catch {
        // Offline for a moment: the next report carries the same totals.
      }
    });
  };
  let timer: ReturnType<typeof setInterval> | undefined;
  video.addEventListener('play', () => {
    if (!started) {
      started = true;
      report();
    }
    clearInterval(timer);
    timer = setInterval(report, REPORT_EVERY_MS);
  });
  video.addEventListener('pause', () => {
    clearInterval(timer);
    report();
  });
  video.addEventListener('ended', report);
  addEventListener('pagehide', report);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') report();
  });
}
