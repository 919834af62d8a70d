import { createErrorFactory } from '../shared/errors.ts';

export const createFaqClusterNotFoundError = createErrorFactory({ code: 'faq.cluster_not_found', message: '未找到该问题组，可能已被合并或重新聚类。', status: 404 });
export const createFaqNotAMemberError = createErrorFactory({ code: 'faq.not_a_member', message: '该问题不在任何问题组中。', status: 404 });
export const createFaqSameClusterError = createErrorFactory({ code: 'faq.same_cluster', message: '不能把问题组与它自己合并。', status: 400 });
