/** A page number from a query string: 1 when missing or not a sensible whole number. */
export function pageParam(url: URL, max = 10_000): number {
  const n = Number(url.searchParams.get('page'));
  return Number.isInteger(n) && n >= 1 && n <= max ? n : 1;
}
