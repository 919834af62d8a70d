/** `[#####.........]  42% 1.2/3.0 MB` (or a count of `documents`), for the progress lines CLIs print. */
export function progressBar(done: number, total: number, { unit = 'bytes' }: { unit?: 'bytes' | 'documents' } = {}): string {
  const width = 30;
  const filled = total ? Math.min(width, Math.round((done / total) * width)) : width;
  const pct = total ? Math.min(100, Math.round((done / total) * 100)) : 100;
  const amount = unit === 'bytes' ? `${(done / 1024 / 1024).toFixed(1)}/${(total / 1024 / 1024).toFixed(1)} MB` : `${done}/${total}`;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${amount}`;
}
