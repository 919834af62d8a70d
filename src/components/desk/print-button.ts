/**
 * The "打印" button of the service record's print view: hidden until this
 * script runs (without JavaScript the page says to use the browser's print).
 */
for (const button of document.querySelectorAll<HTMLButtonElement>('[data-print]')) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}
