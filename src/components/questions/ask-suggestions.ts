/**
 * Beside the ask form: while the title and description are typed, the
 * manual sections and FAQ that match appear (the site's own search API). A
 * "这解决了我的问题" button records which article answered which text (a
 * deflection) and submits nothing. Quiet while a Chinese input method is
 * composing; without JavaScript the form simply works without suggestions.
 */
interface Hit {
  title: string;
  section: string;
  url: string;
}

const DEBOUNCE_MS = 400;

export function attachAskSuggestions(form: HTMLFormElement, aside: HTMLElement): void {
  const title = form.querySelector<HTMLInputElement>('[name="title"]')!;
  const body = form.querySelector<HTMLTextAreaElement>('[name="body"]')!;
  const list = aside.querySelector<HTMLUListElement>('[data-suggestions-list]')!;
  const status = aside.querySelector<HTMLElement>('[data-suggestions-status]')!;
  const msg = aside.dataset;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let composing = false;
  let asked = '';

  const query = () => `${title.value} ${body.value.slice(0, 60)}`.replace(/\s+/g, ' ').trim().slice(0, 200);

  async function suggest() {
    const q = query();
    if (q.length < 2 || q === asked) return;
    asked = q;
    let hits: Hit[] = [];
    try {
      const res = await fetch(`/api/search?q=${encodeURIComponent(q)}&limit=5`, { headers: { Accept: 'application/json' } });
      if (res.ok) hits = ((await res.json()) as { hits: Hit[] }).hits;
    } catch {
      return; // suggestions are a help, never a condition for asking
    }
    if (q !== asked) return;
    render(hits, q);
  }

  function render(hits: Hit[], q: string) {
    list.replaceChildren(...hits.map((h) => item(h, q)));
    aside.hidden = hits.length === 0;
    status.textContent = hits.length ? (msg.found ?? '').replace('{count}', String(hits.length)) : '';
  }

  function item(hit: Hit, q: string): HTMLLIElement {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = hit.url;
    a.target = '_blank';
    a.rel = 'noopener';
    a.textContent = hit.section && hit.section !== hit.title ? `${hit.title} › ${hit.section}` : hit.title;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button secondary small';
    button.textContent = msg.solved ?? '';
    button.addEventListener('click', () => void deflect(hit, q));
    li.append(a, document.createElement('br'), button);
    return li;
  }

  async function deflect(hit: Hit, q: string) {
    try {
      await fetch('/api/questions/deflect', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ query: q, articleUrl: hit.url }) });
    } catch {
      // the thanks below is what matters to the asker
    }
    const done = document.createElement('p');
    done.className = 'ok';
    done.setAttribute('role', 'status');
    done.textContent = msg.thanks ?? '';
    aside.replaceChildren(done);
  }

  const schedule = () => {
    if (composing) return;
    clearTimeout(timer);
    timer = setTimeout(() => void suggest(), DEBOUNCE_MS);
  };
  for (const field of [title, body]) {
    field.addEventListener('compositionstart', () => (composing = true));
    field.addEventListener('compositionend', () => {
      composing = false;
      schedule();
    });
    field.addEventListener('input', schedule);
  }
  if (query().length >= 2) schedule();
}
