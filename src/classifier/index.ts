// Public API of the classifier. Pure except `loadRulesFile` (load.ts), which reads the rules file.
export { classify, type Classification, type ClassifyInput } from './classify.ts';
export { loadRules, compileRules, rulesSchema, type CompiledRules, type RulesFile } from './rules.ts';
export { evaluate, formatEvaluation, parseLabelledRows, type LabelledRow, type Evaluation, type Miss } from './eval.ts';
export { loadRulesFile, DEFAULT_RULES_FILE } from './load.ts';
