/**
 * FAQ promotion settings (doc, env name, schema, default), spread into
 * `config.schema.ts`; `faqSettings()` reads them from a loaded config, and
 * gives the defaults to callers without one (the bench, unit tests).
 */
import { z } from 'zod';

export const faqConfigKeys = {
  faqMatchThreshold: {
    env: 'FAQ_MATCH_THRESHOLD',
    doc: 'Similarity score (0–1) from which a new question joins the cluster of its best match.',
    schema: z.coerce.number({ error: 'must be a number between 0 and 1' }).min(0).max(1),
    default: '0.33',
  },
  faqCandidateMinQuestions: {
    env: 'FAQ_CANDIDATE_MIN_QUESTIONS',
    doc: 'Questions a cluster needs (within the window) to become an FAQ candidate.',
    schema: z.coerce.number({ error: 'must be a whole number' }).int().min(2).max(1000),
    default: '3',
  },
  faqCandidateMinAskers: {
    env: 'FAQ_CANDIDATE_MIN_ASKERS',
    doc: 'Distinct askers (accounts, or e-mail addresses of anonymous askers) a candidate needs.',
    schema: z.coerce.number({ error: 'must be a whole number' }).int().min(1).max(1000),
    default: '2',
  },
  faqCandidateWindowDays: {
    env: 'FAQ_CANDIDATE_WINDOW_DAYS',
    doc: 'Only questions asked within this many days count towards a candidate.',
    schema: z.coerce.number({ error: 'must be a number of days' }).int().min(1).max(3650),
    default: '90',
  },
  faqCandidateMinAnswered: {
    env: 'FAQ_CANDIDATE_MIN_ANSWERED',
    doc: 'Answered questions a candidate needs (0 = none).',
    schema: z.coerce.number({ error: 'must be a whole number' }).int().min(0).max(1000),
    default: '1',
  },
} as const;

export type FaqConfigKey = keyof typeof faqConfigKeys;
export type FaqSettings = { [K in FaqConfigKey]: number };

export const defaultFaqSettings: FaqSettings = Object.fromEntries(
  Object.entries(faqConfigKeys).map(([k, v]) => [k, v.schema.parse(v.default)]),
) as FaqSettings;

/** The FAQ settings of a loaded config; the defaults for whatever it lacks. */
export function faqSettings(config?: Partial<Record<FaqConfigKey, unknown>>): FaqSettings {
  const out = { ...defaultFaqSettings };
  for (const key of Object.keys(faqConfigKeys) as FaqConfigKey[]) {
    const v = config?.[key];
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = v;
  }
  return out;
}
