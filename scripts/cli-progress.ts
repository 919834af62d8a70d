import { progressBar } from '../src/server/shared/progress.ts';

/**
 * A progress line on stderr: redrawn in place on a terminal, at most one line
 * per step and per 10 % elsewhere (logs, CI), so a long copy is neither silent
 * nor flooding.
 */
export function printProgress(label: (what: string) => string) {
  const tty = process.stderr.isTTY;
  let last = '';
  let lastPct = -1;
  return (done: number, total: number, what: string) => {
    const pct = total ? Math.floor((done / total) * 10) : 10;
    if (!tty && what === last && pct === lastPct) return;
    last = what;
    lastPct = pct;
    process.stderr.write(`${tty ? '\r\x1b[K' : ''}${label(what)} ${progressBar(done, total)}${tty ? '' : '\n'}`);
  };
}
