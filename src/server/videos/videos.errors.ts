import { AppError, createErrorFactory } from '../shared/errors.ts';

export const createVideoNotFoundError = createErrorFactory({ code: 'videos.not_found', message: '未找到该视频。', status: 404 });
export const createVideoExistsError = () =>
  new AppError('videos.exists', '已有同一地址名的视频，请换一个地址名，或到该视频页编辑。', 409, { slug: '该地址名已被使用。' });
export const createVideoFileInvalidError = createErrorFactory({
  code: 'videos.file_invalid',
  message: '该视频的内容文件有误，暂时不能编辑；请先运行 npm run content:check 并修正。',
  status: 409,
});
export const createVideoStorageError = createErrorFactory({
  code: 'videos.storage',
  message: '服务器无法保存视频（目录不可写或磁盘已满），本次上传未发布；请联系系统管理员。',
  status: 503,
});
