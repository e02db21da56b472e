// The one file of the classifier that does I/O: reads config/keywords.yaml (or another path) and compiles it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRules, type CompiledRules } from './rules.ts';

export const DEFAULT_RULES_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../config/keywords.yaml');

export function loadRulesFile(file: string = DEFAULT_RULES_FILE): CompiledRules {
  return loadRules(readFileSync(file, 'utf8'), file);
}
