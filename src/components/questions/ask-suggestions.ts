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

/** The clearly matching FAQ entry, its answer as sanitized HTML from our own search API. */
interface Answer {
  url: string;
  title: string;
  html: string;
}

const DEBOUNCE_MS = 400;

export function attachAskSuggestions(form: HTMLFormElement, aside: HTMLElement): void {
  const title = form.querySelector<HTMLInputElement>('[name="title"]')!;
  const body = form.querySelector<HTMLTextAreaElement>('[name="body"]')!;
  const list = aside.querySelector<HTMLUListElement>('[data-suggestions-list]')!;
  const status = aside.querySelector<HTMLElement>('[data-suggestions-status]')!;
  const answerBox = aside.querySelector<HTMLElement>('[data-suggestions-answer]')!;
  const msg = aside.dataset;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let composing = false;
  let asked = '';
  /** Pages already reported as suggested by this form: each counts once. */
  const reported = new Set<string>();

  const query = () => `${title.value} ${body.value.slice(0, 60)}`.replace(/\s+/g, ' ').trim().slice(0, 200);

  async function suggest() {
    const q = query();
    if (q.length < 2 || q === asked) return;
    asked = q;
    let hits: Hit[] = [];
    let answer: Answer | null = null;
    try {
      const res = await fetch(`/api/search?q=${encodeURIComponent(q)}&limit=5`, { headers: { Accept: 'application/json' } });
      if (res.ok) ({ hits, answer } = (await res.json()) as { hits: Hit[]; answer: Answer | null });
    } catch {
      return; // suggestions are a help, never a condition for asking
    }
    if (q !== asked) return;
    render(hits, q);
    showAnswer(answer);
  }

  /** The answer itself, above the list: often enough to need no question at all. */
  function showAnswer(answer: Answer | null) {
    answerBox.hidden = !answer;
    if (!answer) return answerBox.replaceChildren();
    const label = document.createElement('p');
    label.className = 'hint';
    label.textContent = msg.answerLabel ?? '';
    const title = document.createElement('a');
    title.href = answer.url;
    title.target = '_blank';
    title.rel = 'noopener';
    title.textContent = answer.title;
    const heading = document.createElement('h3');
    heading.append(title);
    const body = document.createElement('div');
    body.className = 'prose';
    // Rendered and sanitized by the server's one sanitizer, like every FAQ page.
    body.innerHTML = answer.html;
    answerBox.replaceChildren(label, heading, body);
  }

  function render(hits: Hit[], q: string) {
    list.replaceChildren(...hits.map((h) => item(h, q)));
    report(hits);
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

  /** Tells the server which pages were suggested for the first time, so reviewers see how often an FAQ entry is offered. */
  function report(hits: Hit[]) {
    const urls = [...new Set(hits.map((h) => h.url.split(/[#?]/)[0]!))].filter((u) => !reported.has(u));
    if (!urls.length) return;
    for (const u of urls) reported.add(u);
    fetch('/api/questions/suggested', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ urls: urls.slice(0, 5) }) }).catch(() => {
      // counting is a help for reviewers, never a condition for asking
    });
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
