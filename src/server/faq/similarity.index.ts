/**
 * An in-memory inverted index of question vectors, and clustering by best
 * match: each question, in the order asked, joins the cluster of the earlier
 * question it matches best when the score reaches the threshold, else starts
 * its own. Used by the full recluster, the bench and the candidate fallback
 * when the search engine is down. Pure.
 */
import { compare, type Similarity, type Vector } from './similarity.ts';

export interface IndexedQuestion {
  id: string;
  vector: Vector;
}

export interface Match extends Similarity {
  id: string;
}

/** Postings longer than this many items, and this share of all, count as common. */
const COMMON_MIN = 1000;
const COMMON_SHARE = 0.05;

export class SimilarityIndex {
  readonly items: IndexedQuestion[] = [];
  /** Feature → the items holding it and their weights, in insertion order. */
  private readonly postings = new Map<string, { ids: number[]; weights: number[] }>();
  private readonly byCode = new Map<string, number[]>();
  private readonly byId = new Map<string, number>();
  private acc = new Float64Array(1024);

  add(item: IndexedQuestion): void {
    const n = this.items.length;
    this.items.push(item);
    this.byId.set(item.id, n);
    for (const [key, w] of item.vector.weights) {
      let list = this.postings.get(key);
      if (!list) this.postings.set(key, (list = { ids: [], weights: [] }));
      list.ids.push(n);
      list.weights.push(w);
    }
    for (const code of item.vector.codes) {
      let list = this.byCode.get(code);
      if (!list) this.byCode.set(code, (list = []));
      list.push(n);
    }
  }

  get(id: string): IndexedQuestion | undefined {
    const i = this.byId.get(id);
    return i === undefined ? undefined : this.items[i];
  }

  get size(): number {
    return this.items.length;
  }

  /**
   * The `limit` best matches of `vector` scoring at least `minScore`: sparse
   * dot products over the postings give every cosine; the code rule only
   * lowers a cosine unless an error code is shared, so items below `minScore`
   * are dropped before the exact score and explanation are computed.
   */
  nearest(vector: Vector, { limit = 10, minScore = 0, exclude }: { limit?: number; minScore?: number; exclude?: string } = {}): Match[] {
    if (!vector.norm) return [];
    const n = this.items.length;
    if (this.acc.length < n) this.acc = new Float64Array(Math.max(n, this.acc.length * 2));
    const acc = this.acc;
    const touched: number[] = [];
    // Features held by a large share of many questions (数据, 提示 …) are left out of
    // the accumulation when the question has rarer ones: a match on them alone
    // stays below any useful threshold, and their postings are the long ones.
    const common = Math.max(COMMON_MIN, n * COMMON_SHARE);
    const rare = [...vector.weights.keys()].filter((k) => {
      const len = this.postings.get(k)?.ids.length ?? 0;
      return len > 0 && len <= common;
    }).length;
    for (const [key, w] of vector.weights) {
      const list = this.postings.get(key);
      if (!list) continue;
      if (rare >= 3 && list.ids.length > common) continue;
      const { ids, weights } = list;
      for (let k = 0; k < ids.length; k++) {
        const i = ids[k]!;
        if (acc[i] === 0) touched.push(i);
        acc[i] = acc[i]! + w * weights[k]!;
      }
    }
    const sharesCode = new Set<number>();
    for (const code of vector.codes) for (const i of this.byCode.get(code) ?? []) sharesCode.add(i);
    const survivors: [number, number][] = [];
    for (const i of touched) {
      const cosine = acc[i]! / (vector.norm * this.items[i]!.vector.norm);
      acc[i] = 0;
      if (cosine >= minScore || sharesCode.has(i)) survivors.push([i, cosine]);
    }
    for (const i of sharesCode) if (!survivors.some(([j]) => j === i)) survivors.push([i, 0]);
    // Shared codes first (the code rule lifts them), then by cosine.
    survivors.sort((a, b) => Number(sharesCode.has(b[0])) - Number(sharesCode.has(a[0])) || b[1] - a[1]);
    const out: Match[] = [];
    for (const [i] of survivors.slice(0, limit * 3)) {
      const item = this.items[i]!;
      if (item.id === exclude) continue;
      const sim = compare(vector, item.vector);
      if (sim.score >= minScore) out.push({ id: item.id, ...sim });
    }
    return out.sort((a, b) => b.score - a.score).slice(0, limit);
  }
}

export interface ClusterAssignment {
  /** Question id → cluster key (the id of the cluster's first question). */
  clusterOf: Map<string, string>;
  /** Question id → the match that put it there (absent for a cluster's first question). */
  matchOf: Map<string, Match>;
}

/**
 * Clusters questions in the given order (oldest first) by best match. An
 * item with `pinned` stays in that cluster (a reviewer put it there); others
 * may join a pinned item's cluster. `onProgress` is called every 500 questions.
 */
export function clusterByBestMatch({
  items,
  threshold,
  onProgress,
}: {
  items: (IndexedQuestion & { pinned?: string })[];
  threshold: number;
  onProgress?: (done: number, total: number) => void;
}): ClusterAssignment {
  const index = new SimilarityIndex();
  const clusterOf = new Map<string, string>();
  const matchOf = new Map<string, Match>();
  items.forEach((item, n) => {
    if (item.pinned) clusterOf.set(item.id, item.pinned);
    else {
      const [best] = index.nearest(item.vector, { limit: 1, minScore: threshold });
      if (best) {
        clusterOf.set(item.id, clusterOf.get(best.id)!);
        matchOf.set(item.id, best);
      } else clusterOf.set(item.id, item.id);
    }
    index.add(item);
    if (onProgress && (n + 1) % 500 === 0) onProgress(n + 1, items.length);
  });
  onProgress?.(items.length, items.length);
  return { clusterOf, matchOf };
}
