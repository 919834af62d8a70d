import { formatBytes } from '../http/body-limits.ts';
import { createValidationError } from '../shared/errors.ts';
import type { PendingUpload } from '../uploads/uploads.pending.ts';
import type { IncomingFile } from '../uploads/uploads.receive.ts';
import { coursewareExtensions, sniffCourseware } from './courseware.sniff.ts';

/** A received version file that passed every check. */
export interface CheckedVersionFile {
  file: IncomingFile;
  /** Lower-case extension, checked against the content. */
  ext: string;
  contentType: string;
}

const KINDS = 'PDF、Word（docx）、Excel（xlsx）、PowerPoint（pptx）或 ZIP 压缩包';

/**
 * The one file of a version upload, checked before anything is written: it
 * arrived whole and under COURSEWARE_MAX_MB, it is not empty, and its content
 * is what its extension says and a kind courseware may be. Problems are named
 * in zh-CN on the `file` field.
 */
export async function checkVersionFile(upload: PendingUpload, { maxFileBytes }: { maxFileBytes: number }): Promise<CheckedVersionFile> {
  const fail = (message: string) => createValidationError({ file: message }, message);
  const tooLarge = upload.problems.find((p) => p.code === 'file_too_large');
  if (tooLarge && tooLarge.code === 'file_too_large') throw fail(`“${tooLarge.name}”超过 ${formatBytes(maxFileBytes)}，请压缩或拆分后再上传，演示部分可以改为录制视频。`);
  if (upload.problems.length || upload.files.length > 1) throw fail('每个版本只能上传一个文件；多个文件请打包为 ZIP。');
  const [file] = upload.files;
  if (!file) throw fail('请选择要上传的课件文件。');
  if (file.size === 0) throw fail(`“${file.name}”是空文件。`);
  const sniffed = await sniffCourseware(file.path, file.name);
  if (!sniffed.ok) {
    throw fail(
      sniffed.reason === 'type_not_allowed'
        ? `“${file.name}”的文件类型不支持；课件可以是${KINDS}（${coursewareExtensions.join('、')}）。`
        : `“${file.name}”的内容与文件类型不符或文件不完整（例如改了扩展名的程序，或上传中断），未能上传。`,
    );
  }
  return { file, ext: sniffed.ext, contentType: sniffed.contentType };
}
