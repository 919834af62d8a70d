/**
 * The "insert a link" box above the desk's reply textarea, as an ARIA
 * combobox: typing searches the FAQ and the manuals (GET /api/search), ↓/↑
 * move through the results, Enter or a click inserts `[标题](/faq/…)` at the
 * cursor in the reply, Esc closes the list. Enter never submits the reply.
 * Quiet while a Chinese input method is composing. Without JavaScript the box
 * stays hidden and links can be typed as markdown.
 */
interface Hit {
  type: string;
  title: string;
  section: string;
  url: string;
}

/** UI strings, read through t() by DeskReply.astro; `{name}` placeholders. */
interface Messages {
  types: Record<string, string>;
  none: string;
  found: string;
  inserted: string;
  failed: string;
}

const DEBOUNCE_MS = 250;
/** Only what answers an asker: FAQ entries and manual sections (courseware is for trainings). */
const LINKABLE = new Set(['faq', 'manual']);

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const format = (text: string, params: Record<string, string | number>) => text.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
const labelOf = (h: Hit) => (h.section === h.title ? h.title : `${h.title} › ${h.section}`);
/** Markdown link text cannot hold brackets; the URL is one of ours, without spaces or parentheses to escape. */
const markdownLink = (h: Hit) => `[${labelOf(h).replace(/[[\]]/g, '')}](${h.url.replace(/[()\s]/g, encodeURIComponent)})`;

/** Wires one link box to the textarea named by its `data-target`. */
export function attachReplyLinks(box: HTMLElement): void {
  const input = box.querySelector<HTMLInputElement>('input');
  const list = box.querySelector<HTMLUListElement>('[role="listbox"]');
  const status = box.querySelector<HTMLElement>('[aria-live]');
  const target = document.getElementById(box.dataset.target ?? '');
  if (!input || !list || !status || !(target instanceof HTMLTextAreaElement)) return;
  const messages = JSON.parse(box.dataset.messages ?? '{}') as Messages;
  box.hidden = false;
  let hits: Hit[] = [];
  let active = -1;
  let composing = false;
  let timer: number | undefined;
  let controller: AbortController | null = null;

  const options = () => [...list.querySelectorAll<HTMLLIElement>('[role="option"]')];
  const close = () => {
    list.hidden = true;
    active = -1;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  };
  const setActive = (i: number) => {
    const opts = options();
    if (!opts.length) return;
    active = (i + opts.length) % opts.length;
    opts.forEach((o, j) => o.setAttribute('aria-selected', String(j === active)));
    input.setAttribute('aria-activedescendant', opts[active]!.id);
    opts[active]!.scrollIntoView({ block: 'nearest' });
  };
  const insert = (i: number) => {
    const hit = hits[i];
    if (!hit) return;
    const link = markdownLink(hit);
    const { selectionStart: start, selectionEnd: end, value } = target;
    target.value = value.slice(0, start) + link + value.slice(end);
    target.focus();
    target.setSelectionRange(start + link.length, start + link.length);
    close();
    input.value = '';
    status.textContent = format(messages.inserted, { title: labelOf(hit) });
  };
  const render = () => {
    list.innerHTML = hits
      .map(
        (h, i) =>
          `<li role="option" id="${list.id}-${i}" aria-selected="false" data-index="${i}">` +
          `<span class="type">${escapeHtml(messages.types[h.type] ?? '')}</span>${escapeHtml(labelOf(h))}<span class="url">${escapeHtml(h.url)}</span></li>`,
      )
      .join('');
    active = -1;
    input.removeAttribute('aria-activedescendant');
    list.hidden = hits.length === 0;
    input.setAttribute('aria-expanded', String(hits.length > 0));
    status.textContent = hits.length ? format(messages.found, { total: hits.length }) : messages.none;
  };
  const search = async () => {
    const q = input.value.trim();
    controller?.abort();
    if (!q) {
      hits = [];
      close();
      status.textContent = '';
      return;
    }
    controller = new AbortController();
    try {
      const res = await fetch(`/api/search?${new URLSearchParams({ q, limit: '10' })}`, { signal: controller.signal });
      if (!res.ok) throw new Error(String(res.status));
      const body = (await res.json()) as { hits: Hit[] };
      hits = body.hits.filter((h) => LINKABLE.has(h.type)).slice(0, 8);
      render();
    } catch (e) {
      if ((e as Error).name === 'AbortError') return;
      hits = [];
      close();
      status.textContent = messages.failed;
    }
  };

  input.addEventListener('compositionstart', () => (composing = true));
  input.addEventListener('compositionend', () => {
    composing = false;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void search(), DEBOUNCE_MS);
  });
  input.addEventListener('input', () => {
    if (composing) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void search(), DEBOUNCE_MS);
  });
  input.addEventListener('keydown', (e) => {
    if (e.isComposing) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (list.hidden && hits.length) {
        list.hidden = false;
        input.setAttribute('aria-expanded', 'true');
      }
      setActive(active + (e.key === 'ArrowDown' ? 1 : -1));
    } else if (e.key === 'Enter') {
      // The box sits inside the reply form: Enter picks a link, it never sends the reply.
      e.preventDefault();
      if (!list.hidden) insert(active >= 0 ? active : 0);
    } else if (e.key === 'Escape' && !list.hidden) {
      e.preventDefault();
      close();
    }
  });
  // mousedown, not click: the input keeps focus and the list does not close before the pick.
  list.addEventListener('mousedown', (e) => {
    const li = (e.target as Element).closest<HTMLLIElement>('[role="option"]');
    if (!li) return;
    e.preventDefault();
    insert(Number(li.dataset.index));
  });
  input.addEventListener('blur', () => window.setTimeout(close, 150));
}
