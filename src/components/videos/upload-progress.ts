/**
 * A progress bar for the video upload forms. The form still works without
 * JavaScript (an ordinary multipart post); with it, the same form is sent by
 * XMLHttpRequest so the bytes sent can be shown, the upload can be cancelled,
 * and leaving the page mid-upload asks first. The server's answer is shown as
 * it would have been: the page redirected to, or the form with its errors.
 * An interrupted upload is not resumed: the server keeps nothing of it.
 */
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

export function attachUploadProgress(box: HTMLElement): void {
  const form = box.closest('form');
  if (!form) return;
  const bar = box.querySelector('progress')!;
  const status = box.querySelector<HTMLElement>('[data-upload-status]')!;
  const cancel = box.querySelector<HTMLButtonElement>('[data-upload-cancel]')!;
  const messages = new Map([...(form.querySelector('template[data-upload-messages]') as HTMLTemplateElement).content.querySelectorAll<HTMLElement>('[data-key]')].map((s) => [s.dataset.key!, s.textContent ?? '']));
  const say = (key: string, params: Record<string, string> = {}) => {
    status.textContent = (messages.get(key) ?? '').replace(/\{(\w+)\}/g, (m, k: string) => params[k] ?? m);
  };
  let xhr: XMLHttpRequest | null = null;
  const warn = (e: BeforeUnloadEvent) => e.preventDefault();
  const done = () => {
    xhr = null;
    removeEventListener('beforeunload', warn);
    form.querySelector<HTMLButtonElement>('button[type=submit]')!.disabled = false;
    cancel.hidden = true;
  };

  form.addEventListener('submit', (e) => {
    if (xhr || !form.checkValidity()) return;
    e.preventDefault();
    const request = new XMLHttpRequest();
    xhr = request;
    request.open('POST', form.action || location.href);
    request.upload.addEventListener('progress', (p) => {
      if (!p.lengthComputable) return;
      bar.value = Math.floor((p.loaded / p.total) * 100);
      say('uploading', { percent: String(bar.value), sent: mb(p.loaded), total: mb(p.total) });
      if (p.loaded === p.total) say('processing');
    });
    request.addEventListener('load', () => {
      const url = request.responseURL;
      done();
      if (url && new URL(url).pathname !== location.pathname) location.assign(url);
      else {
        // The form again, with the server's messages: shown in place of this page.
        document.open();
        document.write(request.responseText);
        document.close();
      }
    });
    request.addEventListener('error', () => {
      done();
      say('failed');
    });
    request.addEventListener('abort', () => {
      done();
      bar.value = 0;
      say('cancelled');
    });
    box.hidden = false;
    cancel.hidden = false;
    form.querySelector<HTMLButtonElement>('button[type=submit]')!.disabled = true;
    addEventListener('beforeunload', warn);
    say('uploading', { percent: '0', sent: mb(0), total: '…' });
    request.send(new FormData(form));
  });
  cancel.addEventListener('click', () => xhr?.abort());
}
