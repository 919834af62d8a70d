/**
 * Instant results under a search box: debounced, keyboard navigable, and quiet
 * while a Chinese input method is composing (compositionstart → compositionend),
 * so half-typed pinyin is never searched. A search the user settles on (pauses
 * on, or opens a result from) is logged; keystrokes are not.
 */
interface Hit {
  type: string;
  title: string;
  section: string;
  url: string;
  snippet: string;
}

const DEBOUNCE_MS = 200;
const SETTLE_MS = 1500;
const TYPE_LABELS: Record<string, string> = { manual: '手册', faq: '常见问题', courseware: '培训课件' };

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function attachInstantSearch(form: HTMLFormElement): void {
  const input = form.querySelector<HTMLInputElement>('input[name="q"]');
  const list = form.querySelector<HTMLUListElement>('[role="listbox"]');
  if (!input || !list) return;
  let composing = false;
  let timer: number | undefined;
  let settleTimer: number | undefined;
  let controller: AbortController | null = null;
  let active = -1;
  let current = { q: '', total: 0, logId: '' };

  const options = () => [...list.querySelectorAll<HTMLLIElement>('[role="option"]')];
  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const setActive = (i: number) => {
    const opts = options();
    if (!opts.length) return;
    active = (i + opts.length) % opts.length;
    opts.forEach((o, j) => o.setAttribute('aria-selected', String(j === active)));
    input.setAttribute('aria-activedescendant', opts[active]!.id);
    opts[active]!.scrollIntoView({ block: 'nearest' });
  };
  const goUrl = (url: string, position: number) => {
    const p = new URLSearchParams({ u: url, p: String(position) });
    if (current.logId) p.set('l', current.logId);
    else {
      p.set('q', current.q);
      p.set('n', String(current.total));
    }
    return `/search/go?${p}`;
  };
  const render = (hits: Hit[], total: number, q: string) => {
    const id = list.id;
    list.innerHTML = hits.length
      ? hits
          .map(
            (h, i) =>
              `<li role="option" id="${id}-${i}" aria-selected="false"><a href="${escapeHtml(goUrl(h.url, i + 1))}" tabindex="-1">` +
              `<span class="type">${TYPE_LABELS[h.type] ?? ''}</span><strong>${escapeHtml(h.section === h.title ? h.title : `${h.title} › ${h.section}`)}</strong>` +
              `<span class="snippet">${h.snippet}</span></a></li>`,
          )
          .join('') +
        `<li class="more"><a href="/search?q=${encodeURIComponent(q)}" tabindex="-1">查看全部 ${total} 条结果</a></li>`
      : `<li class="more"><a href="/search?q=${encodeURIComponent(q)}" tabindex="-1">没有找到相关内容，按回车查看更多建议</a></li>`;
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    active = -1;
  };
  const logSettled = () => {
    const { q, total } = current;
    void fetch('/api/search/log', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ q, hits: total }) })
      .then((r) => (r.ok ? r.json() : null))
      .then((body: { id?: string } | null) => {
        if (body?.id && current.q === q) {
          current.logId = body.id;
          options().forEach((o, i) => {
            const a = o.querySelector('a');
            const url = new URL(a!.href).searchParams.get('u');
            if (a && url) a.href = goUrl(url, i + 1);
          });
        }
      })
      .catch(() => {});
  };
  const run = async () => {
    const q = input.value.trim();
    window.clearTimeout(settleTimer);
    if (!q) return close();
    controller?.abort();
    controller = new AbortController();
    try {
      const res = await fetch(`/api/search?${new URLSearchParams({ q, limit: '6' })}`, { signal: controller.signal });
      if (!res.ok) return close();
      const body = (await res.json()) as { hits: Hit[]; total: number };
      current = { q, total: body.total, logId: '' };
      render(body.hits, body.total, q);
      form.dataset.instantQuery = q;
      settleTimer = window.setTimeout(logSettled, SETTLE_MS);
    } catch {
      /* aborted by a newer keystroke, or offline */
    }
  };
  const schedule = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void run(), DEBOUNCE_MS);
  };

  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', list.id);
  input.setAttribute('aria-expanded', 'false');
  input.addEventListener('compositionstart', () => {
    composing = true;
    window.clearTimeout(timer);
  });
  input.addEventListener('compositionend', () => {
    composing = false;
    schedule();
  });
  input.addEventListener('input', (e) => {
    if (composing || (e as InputEvent).isComposing) return;
    schedule();
  });
  input.addEventListener('keydown', (e) => {
    if (e.isComposing || composing) return;
    if (e.key === 'ArrowDown' && !list.hidden) {
      e.preventDefault();
      setActive(active + 1);
    } else if (e.key === 'ArrowUp' && !list.hidden) {
      e.preventDefault();
      setActive(active - 1);
    } else if (e.key === 'Escape') {
      close();
    } else if (e.key === 'Enter' && active >= 0 && !list.hidden) {
      e.preventDefault();
      const a = options()[active]?.querySelector('a');
      if (a) window.location.href = a.href;
    }
  });
  input.addEventListener('blur', () => window.setTimeout(close, 150));
  list.addEventListener('mousedown', (e) => e.preventDefault());
}
