// Loading the rule data the pure core needs (holidays, classifier keywords) from the config folder. The core
// itself never reads files; this is the one adapter that does.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config.ts';
import type { ClassificationSummary } from './domain.ts';
import { classify, loadRules, withModel, type CompiledRules } from './classifier/index.ts';
import { createCalendar, parseHolidayOverrides, type Calendar } from './workflow/calendar.ts';

/** The classifier's keyword rules shipped with the code (config/keywords.yaml). */
export const DEFAULT_RULES_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../config/keywords.yaml');

/** The statistical layer's trained model sits beside the rules it was trained with. */
export const MODEL_FILE_NAME = 'classifier-model.json';

/**
 * Reads and compiles a keyword rules file, with the trained model beside it (classifier-model.json) when there
 * is one; `thresholds.useModel: false` in the rules switches the model off. `modelFile: null` reads the rules alone.
 */
export function loadRulesFile(file: string = DEFAULT_RULES_FILE, modelFile: string | null = path.join(path.dirname(file), MODEL_FILE_NAME)): CompiledRules {
  const rules = loadRules(readFileSync(file, 'utf8'), file);
  if (modelFile === null || !existsSync(modelFile)) return rules;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(modelFile, 'utf8'));
  } catch (e) {
    throw new Error(`分类模型文件格式错误 invalid JSON in ${modelFile}: ${(e as Error).message}`);
  }
  return withModel(rules, json, modelFile);
}

export function holidaysPath(cfg: Config): string {
  return path.resolve(cfg.configDir, cfg.holidaysFile);
}

export function loadCalendar(cfg: Config): Calendar {
  const file = holidaysPath(cfg);
  const overrides = existsSync(file) ? parseHolidayOverrides(readFileSync(file, 'utf8'), file) : { off: [], work: [] };
  return createCalendar(overrides);
}

/** Years the service needs holiday data for: this one and the next (deadlines reach into it in December). */
export function missingHolidayYears(cal: Calendar, now: Date): number[] {
  const y = Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(now));
  return [y, y + 1].filter((year) => !cal.hasYear(year));
}

/** The classifier with the configured rules (config/keywords.yaml), as the function intake and the bot call. */
/** `propertyKnown`: an officer registered it by hand, so it is a property matter whatever its words say. */
export type ClassifyFn = (input: { subject: string; text: string; propertyKnown?: boolean }) => ClassificationSummary;

/** The rules and, beside them, the statistical layer's model (config/classifier-model.json), when present. */
export function loadClassifier(cfg: Config): ClassifyFn {
  const rules = loadRulesFile(path.resolve(cfg.configDir, 'keywords.yaml'));
  return (input) => {
    const { unit, units, problem, urgent, triage, score, matched } = classify(input, rules);
    return { unit, units, problem, urgent, triage, score, matched };
  };
}
