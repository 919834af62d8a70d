/**
 * Generated help-desk questions for speed measurements (the bench and the
 * recluster test): topics × problems × circumstances × politeness, some with
 * error codes, from a seeded generator so every run sees the same text.
 */
const SUBJECTS = [
  '密码', '账号', '行政许可数据', '行政处罚信息', '双公示数据', '附件', '统计报表', '培训课件', '前置机', '数据交换程序',
  '统一社会信用代码', '信用修复申请', '红黑名单', '单位联系人', '验证码', '导入模板', '公示页面', '培训视频', '考核成绩', '报送菜单',
  '用户权限', '接口', '失信惩戒措施', '信用承诺书', '值班电话', '问题回复', '邮件通知', '浏览器', '数据库连接', '日志',
];
const PROBLEMS = [
  '导出失败', '打不开', '显示乱码', '提示错误', '上传超时', '怎么申请', '在哪里下载', '找不到', '一直转圈', '没有反应',
  '审核不通过', '无法登录', '被锁定了', '怎么修改', '不能删除', '显示不全', '格式不对', '收不到', '加载很慢', '数据不一致',
  '怎么查询', '多久更新', '能不能批量处理', '要准备什么材料', '报错', '重复了', '丢失了', '权限不够', '怎么开通', '过期了',
];
const CIRCUMSTANCES = [
  '', '', '', '今天', '升级以后', '用IE的时候', '换了电脑后', '月底报送时', '昨天开始', '在单位内网', '数据量大时', '第一次使用',
  '按照手册操作', '同事那边正常', '重启之后', '用360浏览器', '下午', '批量导入时',
];
const OPENINGS = ['', '', '请问', '您好，', '麻烦问一下', '急！'];
const CLOSINGS = ['', '', '', '，谢谢', '，怎么办', '吗', '？', '，急'];

/** A small seeded PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedQuestion {
  id: string;
  title: string;
  body: string;
}

export function generateQuestions(count: number, seed = 12): GeneratedQuestion[] {
  const rnd = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const out: GeneratedQuestion[] = [];
  for (let i = 0; i < count; i++) {
    const code = rnd() < 0.15 ? ` 错误码E${1000 + Math.floor(rnd() * 9000)}` : '';
    const title = `${pick(OPENINGS)}${pick(CIRCUMSTANCES)}${pick(SUBJECTS)}${pick(PROBLEMS)}${code}${pick(CLOSINGS)}`;
    const body = rnd() < 0.5 ? `${pick(CIRCUMSTANCES)}${pick(SUBJECTS)}${pick(PROBLEMS)}，试了几次都一样。` : '';
    out.push({ id: `g${i}`, title, body });
  }
  return out;
}
