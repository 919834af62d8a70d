/**
 * Results of repeated searches, kept in memory for a short while: the morning
 * rush asks the same few questions again and again. Keyed by everything the
 * result depends on (the normalized query, type, page, size, the access levels
 * searched and counted, the re-ranking model); dropped whole whenever this
 * process changes the index (`clear`, from syncIndex and rebuildIndex), and
 * aged out after `ttlMs` for changes another process made. A search that began
 * before a clear is not kept.
 */
export interface SearchResultCache<T> {
  /** The cache generation now: pass it back to `set` with what a search found. */
  generation(): number;
  get(key: string): T | undefined;
  set(key: string, value: T, generation: number): void;
  clear(): void;
  stats(): { entries: number; hits: number; misses: number };
}

export function createSearchResultCache<T>({ maxEntries = 2000, ttlMs = 60_000, now = () => Date.now() }: { maxEntries?: number; ttlMs?: number; now?: () => number } = {}): SearchResultCache<T> {
  const entries = new Map<string, { value: T; at: number }>();
  let gen = 0;
  let hits = 0;
  let misses = 0;
  return {
    generation: () => gen,
    get(key) {
      const e = entries.get(key);
      if (!e || now() - e.at >= ttlMs) {
        if (e) entries.delete(key);
        misses++;
        return undefined;
      }
      hits++;
      entries.delete(key);
      entries.set(key, e);
      return e.value;
    },
    set(key, value, generation) {
      if (generation !== gen || maxEntries <= 0) return;
      entries.delete(key);
      entries.set(key, { value, at: now() });
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries) break;
        entries.delete(oldest);
      }
    },
    clear() {
      entries.clear();
      gen++;
    },
    stats: () => ({ entries: entries.size, hits, misses }),
  };
}

const modelIds = new WeakMap<object, number>();
let nextModelId = 1;
/** A number naming one re-ranking model object (0 for none), for cache keys. */
export function modelKey(model: object | null | undefined): number {
  if (!model) return 0;
  let id = modelIds.get(model);
  if (id === undefined) modelIds.set(model, (id = nextModelId++));
  return id;
}
