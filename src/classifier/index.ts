// Public API of the classifier. Pure: the rules come in as text (src/runtime.ts reads the file).
export { classify, type Classification, type ClassifyInput } from './classify.ts';
export { loadRules, compileRules, rulesSchema, type CompiledRules, type RulesFile } from './rules.ts';
export { evaluate, formatEvaluation, parseLabelledRows, type LabelledRow, type Evaluation, type Miss } from './eval.ts';
