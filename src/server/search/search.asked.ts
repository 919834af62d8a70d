/**
 * Answered questions teach the search: the title of a question whose answer
 * linked a manual section or FAQ entry, once the asker rated that answer well
 * or confirmed it solved, becomes an "asked as" phrase of the linked page
 * (`search_asked_as`, indexed in the lower-ranked `asked` field). Published FAQ
 * entries built from clusters carry their source questions' titles the same
 * way. Admins remove a phrase at /admin/search; a removed one stays removed.
 */
import { and, count, desc, eq, isNull } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { searchAskedAs, users, type AskedAsSource } from '../../../db/schema/index.ts';
import { auditRequest, type RequestMeta } from '../audit/audit.usecases.ts';
import type { Clock } from '../shared/clock.ts';
import { createNotFoundError } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';

/** A rating from this (of 5) teaches the search. */
export const ASKED_AS_MIN_RATING = 4;
/** Phrases kept per page at most: the newest win. */
const MAX_PER_PAGE = 50;

const SITE_PATH = /(?:https?:\/\/[^\s/)"'<>]+)?(\/(?:manuals|faq)\/[^\s)\]"'<>?]+)/g;

/**
 * The manual sections and FAQ entries a reply links, as the index names them
 * (path plus decoded `#anchor`), whether written as site paths or full URLs
 * of any host (a reply is ours; the host says nothing). In order, no repeats.
 */
export function linkedPages(body: string): string[] {
  const out: string[] = [];
  for (const m of body.matchAll(SITE_PATH)) {
    let url = m[1]!.replace(/[.,，。;；:：!！]+$/, '');
    try {
      url = decodeURI(url);
    } catch {
      continue; // a malformed escape is no link of ours
    }
    if (!out.includes(url)) out.push(url);
  }
  return out;
}

/** Records `phrase` for each page, in the caller's transaction; a phrase a page already has (or had removed) is left alone. */
export async function learnAskedAs(
  tx: Db | Tx,
  { clock, urls, phrase, questionId, source }: { clock: Clock; urls: string[]; phrase: string; questionId: string | null; source: AskedAsSource },
): Promise<number> {
  const text = phrase.replace(/\s+/g, ' ').trim();
  if (!text || !urls.length) return 0;
  const now = clock.now();
  const rows = await tx
    .insert(searchAskedAs)
    .values(urls.map((url) => ({ id: newId(), url, phrase: text, questionId, source, createdAt: now })))
    .onConflictDoNothing()
    .returning({ id: searchAskedAs.id });
  return rows.length;
}

/** Every page's live phrases, newest first, at most MAX_PER_PAGE each: what the index carries. */
export async function askedAsByUrl(db: Db): Promise<Map<string, string[]>> {
  const rows = await db
    .select({ url: searchAskedAs.url, phrase: searchAskedAs.phrase })
    .from(searchAskedAs)
    .where(isNull(searchAskedAs.removedAt))
    .orderBy(desc(searchAskedAs.createdAt));
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const list = out.get(r.url) ?? [];
    if (list.length < MAX_PER_PAGE) list.push(r.phrase);
    out.set(r.url, list);
  }
  return out;
}

export interface AskedAsRow {
  id: string;
  url: string;
  phrase: string;
  source: AskedAsSource;
  createdAt: Date;
  removedAt: Date | null;
  removedByName: string | null;
}

/** The phrases for the admin page, newest first, a page of `limit`. */
export async function listAskedAs({ db, page = 1, limit = 50 }: { db: Db; page?: number; limit?: number }): Promise<{ rows: AskedAsRow[]; total: number }> {
  const [rows, [total]] = await Promise.all([
    db
      .select({
        id: searchAskedAs.id,
        url: searchAskedAs.url,
        phrase: searchAskedAs.phrase,
        source: searchAskedAs.source,
        createdAt: searchAskedAs.createdAt,
        removedAt: searchAskedAs.removedAt,
        removedByName: users.name,
      })
      .from(searchAskedAs)
      .leftJoin(users, eq(users.id, searchAskedAs.removedBy))
      .orderBy(desc(searchAskedAs.createdAt), desc(searchAskedAs.id))
      .limit(limit)
      .offset((page - 1) * limit),
    db.select({ n: count() }).from(searchAskedAs),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/** Removes a phrase from its page (kept as removed, so it is not learnt again); audited. */
export async function removeAskedAs({ db, clock, id, meta }: { db: Db; clock: Clock; id: string; meta: RequestMeta }): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(searchAskedAs)
      .set({ removedAt: clock.now(), removedBy: meta.actor?.id ?? null })
      .where(and(eq(searchAskedAs.id, id), isNull(searchAskedAs.removedAt)))
      .returning();
    if (!row) throw createNotFoundError();
    await auditRequest({ db: tx, clock, meta, event: { action: 'search.asked_as.remove', targetType: 'page', targetId: row.url, before: { phrase: row.phrase } } });
  });
}
