// The one file of the classifier that does I/O: reads config/keywords.yaml (or another path) and compiles it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config.ts';
import { loadRules, type CompiledRules } from './rules.ts';

export const DEFAULT_RULES_FILE = path.join(PROJECT_ROOT, 'config', 'keywords.yaml');

export function loadRulesFile(file: string = DEFAULT_RULES_FILE): CompiledRules {
  return loadRules(readFileSync(file, 'utf8'), file);
}
