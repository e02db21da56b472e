// Words the web console's pages use that no other module has: audit event types and deadlines with their clause.
export const EVENT_NAMES: Record<string, string> = {
  registered: '登记',
  triage: '待分转',
  assigned: '分转',
  'co-units': '协办单位变更',
  contributed: '协办情况',
  accepted: '接收',
  returned: '退回',
  progress: '报送进展',
  'marked-complex': '认定复杂问题',
  'plan-submitted': '报送方案',
  'extension-requested': '申请延期',
  'extension-approved': '延期批准',
  'extension-rejected': '延期未批准',
  resolved: '办结',
  cosigned: '会签',
  'cosign-rejected': '会签驳回',
  reviewed: '审核',
  'review-rejected': '审核驳回',
  'written-off': '销号',
  reopened: '重新办理',
  reply: '投诉人来信',
  rated: '投诉人评价',
  'wrote-resident': '致投诉人',
  'company-set': '物业企业',
  'penalty-opened': '立案查处',
  'penalty-decided': '处罚决定',
  'penalty-extended': '延长处罚期限',
  supervised: '挂牌督办',
  reclassified: '改派/改分类',
  promoted: '人工登记',
  read: '查阅（机器人）',
  viewed: '查阅（网页）',
};

/** Each deadline with the clause that sets it (docs/sources.md). */
export const DEADLINE_NAMES: Record<string, { name: string; clause: string }> = {
  transfer: { name: '分转期限（7个工作日）', clause: '000 附件 二' },
  close: { name: '办结期限', clause: '000 附件 三(一)' },
  plan: { name: '解决方案期限（7日）', clause: '000 附件 三(一)' },
  progress: { name: '按月反馈进展', clause: '000 附件 三(一)、正文 四(四)' },
  verify: { name: '核查期限（15个工作日）', clause: '000 附件 三(二)' },
  penalty: { name: '处罚期限（90日）', clause: '000 附件 三(二)' },
};

export const WEB_ROLE_NAMES: Record<string, string> = {
  desk: '联席办（住建）',
  admin: '管理员',
  supervisor: '纪检监察（只读）',
  leader: '领导（只读）',
  officer: '承办人',
};
