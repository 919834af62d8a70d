/**
 * Help-desk paraphrases the platform synonyms (`content/search/synonyms.yml`,
 * written for search) do not cover: ways of saying the same thing in a
 * question. Each phrase is rewritten to its group's first entry before
 * features are taken. Applied before the platform synonyms; general help-desk
 * Chinese, added while tuning on the dev half of the labelled set only.
 */
export const CONCEPTS: string[][] = [
  ['忘记', '忘了', '忘掉', '遗忘', '想不起来', '想不起', '记不住', '记不得', '记不清'],
  ['没反应', '没有反应', '无反应', '没响应', '没有响应', '无响应', '转圈', '卡住', '卡死', '不动'],
  ['失败', '不成功', '没成功', '出不来'],
  ['开通账号', '申请账号', '注册账号', '新增账号', '开账号', '开个账号', '申请平台用户', '申请用户', '注册', '开通'],
  ['新人', '新来的', '新员工', '新同事', '新入职', '新增一个', '新增人员'],
  ['调动', '调到', '调去', '调走', '调岗', '更换工作单位', '换单位', '转到其他单位', '转过去', '所属单位'],
  ['查询', '查到', '查看', '查找', '查一下', '查'],
  ['截止', '截止时间', '截止日期', '期限', '时限', '几个工作日', '多少天', '多久', '多长时间'],
  ['课件', '教程', 'ppt', '讲义', '教材', '培训资料', '培训材料'],
  ['下载', '下载地址', '去哪下', '下载链接'],
  ['重置', '重新设置', '重设'],
  ['办理', '申请', '提交申请', '申办'],
  ['不合法', '无效', '格式错误', '校验位错误', '校验', '不通过校验'],
];

/**
 * Words too common on this platform to tell problems apart: they still count,
 * at this fraction of their weight.
 */
export const GENERIC_WORDS = ['平台', '系统', '数据', '信息', '提示', '问题', '单位', '用户', '页面', '企业', '显示', '点击', '时候', '里面'];
export const GENERIC_FACTOR = 0.35;
