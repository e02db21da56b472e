// Public API of the classifier. Pure: the rules come in as text (src/runtime.ts reads the file).
export { classify, readableText, type Classification, type ClassifyInput } from './classify.ts';
export { loadRules, compileRules, withModel, rulesSchema, type CompiledRules, type RulesFile } from './rules.ts';
export { evaluate, formatEvaluation, parseLabelledRows, type LabelledRow, type Evaluation, type Miss } from './eval.ts';
export { compileModel, parseModel, scoreModel, explainModel, PRIOR_LABEL, featureVector, modelSchema, type CompiledModel, type ModelFile } from './model.ts';
