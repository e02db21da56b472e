// Typed refusals of the case workflow. A refusal is data, not an exception: the adapter shows the Chinese text
// to the officer and writes nothing. `message` is the Chinese text plus a detail for this refusal; adapters that
// only want the generic wording use ERROR_MESSAGES_ZH[code].

export const WORKFLOW_ERROR_CODES = [
  'NOT_YOUR_UNIT',
  'NOT_YOUR_COUNTY',
  'WRONG_STATE',
  'FORBIDDEN_ROLE',
  'ALREADY_EXTENDED',
  'EXTENSION_PENDING',
  'NO_EXTENSION_REQUEST',
  'NOT_COMPLEX',
  'ALREADY_COMPLEX',
  'ALREADY_SUPERVISED',
  'COSIGN_REQUIRED',
  'NOT_A_COMPLAINT',
  'INVALID_INPUT',
] as const;
export type WorkflowErrorCode = (typeof WORKFLOW_ERROR_CODES)[number];

export interface WorkflowError {
  code: WorkflowErrorCode;
  message: string;
}

export const ERROR_MESSAGES_ZH: Record<WorkflowErrorCode, string> = {
  NOT_YOUR_UNIT: '该案件不属于您所在单位承办',
  NOT_YOUR_COUNTY: '该案件不属于您所在县(市、区)',
  WRONG_STATE: '案件当前状态不允许此操作',
  FORBIDDEN_ROLE: '您的角色无权执行此操作',
  ALREADY_EXTENDED: '该案件已延期一次，不能再次延期',
  EXTENSION_PENDING: '已有延期申请待审批',
  NO_EXTENSION_REQUEST: '该案件没有待审批的延期申请',
  NOT_COMPLEX: '只有重大或复杂问题才需报送解决方案',
  ALREADY_COMPLEX: '该案件已标记为重大或复杂问题',
  ALREADY_SUPERVISED: '该案件已挂牌督办',
  COSIGN_REQUIRED: '住建部门直接办理的案件，须先由乡镇(街道)、社区签署办结意见',
  NOT_A_COMPLAINT: '该线索不属于物业投诉举报，不予登记',
  INVALID_INPUT: '填写内容不完整或格式不正确',
};

export function workflowError(code: WorkflowErrorCode, detail?: string): WorkflowError {
  return { code, message: detail ? `${ERROR_MESSAGES_ZH[code]}：${detail}` : ERROR_MESSAGES_ZH[code] };
}
