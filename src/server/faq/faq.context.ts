/** FAQ dependencies from the process runtime, for pages. */
import type { Runtime } from '../runtime/runtime.ts';
import { faqSettings } from './faq.config.ts';
import { faqEngineFor } from './faq.engine.ts';
import type { FaqPublishDeps } from './faq.publish.ts';
import { similarAnswered, type SimilarAnswered } from './faq.similar.ts';

/** The desk's similar answered questions; the panel is left out (empty) if they cannot be had. */
export async function similarForDesk(runtime: Runtime, question: { id: string; title: string; body: string; createdAt: Date }): Promise<SimilarAnswered[]> {
  try {
    const engine = await faqEngineFor(runtime.config.contentDir);
    const deps = { db: runtime.database.db, search: runtime.search, engine, settings: faqSettings(runtime.config as unknown as Record<string, unknown>), clock: runtime.clock, log: runtime.log };
    return await similarAnswered(deps, { question });
  } catch (err) {
    runtime.log.warn({ err }, 'similar questions unavailable');
    return [];
  }
}

/** What the review pages need from the runtime: the settings and lexicon for clusters, and the publishing dependencies. */
export async function reviewDeps(runtime: Runtime) {
  const engine = await faqEngineFor(runtime.config.contentDir);
  return {
    db: runtime.database.db,
    lexicon: engine.lexicon,
    settings: faqSettings(runtime.config as unknown as Record<string, unknown>),
    now: runtime.clock.now(),
    publish: {
      db: runtime.database.db,
      clock: runtime.clock,
      jobs: runtime.jobs,
      mailFrom: runtime.config.mailFrom,
      baseUrl: runtime.publicBase,
      contentDir: runtime.config.contentDir,
      content: runtime.content,
    } satisfies FaqPublishDeps,
  };
}
