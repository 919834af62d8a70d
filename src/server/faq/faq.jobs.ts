/** The `faq.assign` job handler and the questions index setup, as the runtime wires them. */
import type { Db } from '../../../db/client.ts';
import type { Config } from '../config/config.ts';
import { ensureQuestionsIndex } from '../search/questions.index.ts';
import type { SearchService } from '../search/search.client.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { faqSettings } from './faq.config.ts';
import { faqEngineFor } from './faq.engine.ts';
import { assignQuestion } from './faq.usecases.ts';

export function faqHandler({ db, search, clock, log, config }: { db: Db; search: SearchService; clock: Clock; log: Logger; config: Config }) {
  const settings = faqSettings(config as unknown as Record<string, unknown>);
  return async (data: Record<string, unknown>): Promise<void> => {
    const engine = await faqEngineFor(config.contentDir);
    // Wait until the question is searchable, so the next question's job can match it.
    await assignQuestion({ db, search, engine, settings, clock, log, waitForIndex: true }, String(data.id));
  };
}

/** Applies the questions index settings; a failure is logged (candidates then come from recent questions). */
export async function prepareQuestionsIndex({ search, contentDir, log }: { search: SearchService; contentDir: string; log: Logger }): Promise<void> {
  try {
    const engine = await faqEngineFor(contentDir);
    await ensureQuestionsIndex(search, { synonyms: engine.source.synonyms, dictionary: engine.source.terms });
  } catch (err) {
    log.warn({ err }, 'could not prepare the questions index');
  }
}
