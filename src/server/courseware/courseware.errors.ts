import { AppError, createErrorFactory } from '../shared/errors.ts';

export const createCourseNotFoundError = createErrorFactory({ code: 'courseware.not_found', message: '未找到该课件。', status: 404 });
export const createCourseExistsError = () =>
  new AppError('courseware.exists', '已有同一地址名的课件，请换一个地址名，或在该课件页发布新版本。', 409, { slug: '该地址名已被使用。' });
export const createVersionNotNewError = (latest: string) =>
  new AppError('courseware.version_not_new', `版本号须高于当前版本 ${latest}，且不能与已有版本重复。`, 409, { version: `须高于当前版本 ${latest}。` });
export const createCourseFileInvalidError = createErrorFactory({
  code: 'courseware.file_invalid',
  message: '该课件的内容文件有误，暂时不能发布新版本；请先运行 npm run content:check 并修正。',
  status: 409,
});
export const createCourseStorageError = createErrorFactory({
  code: 'courseware.storage',
  message: '服务器无法保存课件（课件目录不可写或磁盘已满），本次上传未发布；请联系系统管理员。',
  status: 503,
});
