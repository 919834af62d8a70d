import { t } from '../../i18n/t.ts';
import type { Db } from '../../../db/client.ts';
import { passedInRetakes, trainingArchive, trainingFigures } from './training.queries.ts';
import { rootOf } from './training.assessment.ts';
import type { TrainingRow } from './training.usecases.ts';

/** `text` cut to `max` characters with an ellipsis: the printed records keep to one page. */
export const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** 使用教材: the courseware (by its title when it is published) and the version used. */
export function materialsOf(training: Pick<TrainingRow, 'courseSlug' | 'courseVersion'>, courseTitle: string | null): string {
  if (!training.courseSlug) return t('training.register.noMaterials');
  const name = courseTitle ?? training.courseSlug;
  return training.courseVersion ? `${name}（${t('training.register.version', { version: training.courseVersion })}）` : name;
}

/** The archive and the figures both printed records show. */
export async function sheetData({ db, training }: { db: Db; training: TrainingRow }) {
  const archive = await trainingArchive({ db, training });
  const figures = trainingFigures(training, archive, { passedAnywhere: training.retakeOfId ? new Set() : await passedInRetakes(db, rootOf(training)) });
  return { archive, figures };
}
