// The pure core of case handling: the state machine, who may act, and its refusals.
// Calendar and deadline rules are imported from their own modules (calendar.ts, rules.ts).
export {
  register,
  transition,
  due,
  withCaseId,
  COMMAND_TYPES,
  EFFECT_TEMPLATES,
  type Command,
  type CommandType,
  type EffectDraft,
  type EffectTemplate,
  type RegisterInput,
  type RegisterResult,
  type NewCase,
  type TransitionResult,
  type DueItem,
  type DueState,
} from './complaint.ts';
export { canAct, reviewingUnit, type Action, type AuthResult } from './auth.ts';
export { ERROR_MESSAGES_ZH, WORKFLOW_ERROR_CODES, workflowError, type WorkflowError, type WorkflowErrorCode } from './errors.ts';
