#!/usr/bin/env node
// `npm run check:layers`: the layer check of src/ (README, "Architecture"). No packages: node:fs, node:path and
// regexes over the source text, comments (and, for code patterns, string contents) blanked first.
//
//   pure    rules (src/domain.ts, src/time.ts, src/classifier, src/workflow) and texts (src/messages, src/report
//           but its writers): no I/O, time as an argument; texts depend on the rules, never the reverse.
//   store   src/store: the only place SQL is written.       cases           src/cases: the use cases.
//   outbox  src/outbox: effects after commit.               report-writers  src/report/writers: sheets, charts.
//   adapters, each its own layer: src/ingest, src/bot, src/scheduler, src/cli, src/web.
//   infra   src/config.ts, src/log.ts, src/clock.ts, src/runtime.ts, src/cron.ts.   root  src/main.ts, src/cli.ts: anything.
//
// Rules: A. imports between layers (RULES below; anything not allowed is a violation, type imports included);
//        B. a pure file imports no I/O module (IO_MODULES) and reads no clock (Date.now(), bare new Date());
//        C. outside src/store: no value import of a SQL driver, no query-builder call, no sql`…` template.
// Usage: node scripts/check-layers.mjs [--root DIR] [--json]. Exit 0 clean, 1 on violations, 2 on bad usage.
import { builtinModules } from 'node:module';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Layers by path (under the root; a trailing / is a folder). The longest matching prefix wins.
const LAYERS = {
  rules: ['src/domain.ts', 'src/time.ts', 'src/classifier/', 'src/workflow/'],
  texts: ['src/messages/', 'src/report/'],
  'report-writers': ['src/report/writers/'],
  store: ['src/store/'],
  cases: ['src/cases/'],
  outbox: ['src/outbox/'],
  ingest: ['src/ingest/'],
  bot: ['src/bot/'],
  scheduler: ['src/scheduler/'],
  cli: ['src/cli/'],
  web: ['src/web/'],
  infra: ['src/config.ts', 'src/log.ts', 'src/clock.ts', 'src/runtime.ts', 'src/cron.ts', 'src/instance-lock.ts'],
  root: ['src/main.ts', 'src/cli.ts'],
};
const GROUPS = { pure: ['rules', 'texts'], adapters: ['ingest', 'bot', 'scheduler', 'cli', 'web'] };

// Who may import whom: THE table. `from` is a layer, a group or one file; `may` lists layers, groups, files or
// folders ('src/…'), or 'self' (the importer's own layer). An import is allowed when any row allows it.
const RULES = [
  // Rules know nothing of texts: a message or a report layout follows the rule it words, never the reverse.
  { from: 'rules', may: ['rules'] },
  // Texts (messages, report layouts) word and lay out the rules' results: pure, so they may read any pure module.
  { from: 'texts', may: ['pure'] },
  // The store persists domain values; it reads its own settings, and knows no rule, text, use case or adapter.
  { from: 'store', may: ['store', 'src/domain.ts', 'src/time.ts', 'src/config.ts'] },
  // The outbox sends what a transaction queued: rows in, effects out. What to say was decided before the commit.
  { from: 'outbox', may: ['outbox', 'store', 'src/domain.ts', 'src/time.ts', 'infra'] },
  // Writers turn a report layout into a file (xlsx, chart); they decide nothing about the contents.
  { from: 'report-writers', may: ['report-writers', 'src/report/', 'src/domain.ts', 'src/time.ts'] },
  // Use cases compose rules, texts, the store and the writers; delivery is the outbox's, after commit.
  { from: 'cases', may: ['cases', 'pure', 'store', 'report-writers', 'infra'] },
  // Adapters are thin and side by side: each goes through the use cases, never through another adapter.
  { from: 'adapters', may: ['self', 'cases', 'store', 'pure', 'report-writers', 'infra'] },
  // runtime.ts builds the working-day calendar and the classifier from the config.
  { from: 'infra', may: ['infra', 'rules'] },
  // Composition roots wire everything together.
  { from: 'root', may: ['*'] },
  // Named exceptions, one line each.
  // `wuye ingest` runs the intake adapter on files: a composition, like main.ts.
  { from: 'src/cli/ingest.ts', may: ['src/ingest/intake.ts'] },
  // `wuye mail show|promote` reads a stored mail with the intake's parser and registers it through the intake.
  { from: 'src/cli/mail.ts', may: ['src/ingest/intake.ts', 'src/ingest/parse.ts'] },
  // `wuye doctor` probes each peer with the adapters' own clients.
  { from: 'src/cli/doctor.ts', may: ['src/ingest/imap.ts', 'src/outbox/mailer.ts', 'src/outbox/telegram.ts'] },
];

// B. Modules a pure file may not import, value or type: every node built-in but crypto (hashing is pure), and
// the packages that do I/O. chinese-days (data), yaml and zod are allowed, as is any package not listed.
const ALLOWED_BUILTINS = new Set(['crypto']);
const IO_PACKAGES = new Set(['kysely', 'pg', 'better-sqlite3', 'imapflow', 'mailparser', 'nodemailer', 'telegraf',
  'node-cron', 'smtp-server', 'pino', 'fastify', 'exceljs', 'echarts', '@resvg/resvg-js']);
const CLOCK = [/\bDate\.now\s*\(/g, /\bnew\s+Date\s*\(\s*\)/g, /\bnew\s+Date\b(?!\s*\()/g];

// C. SQL outside src/store.
const SQL_DRIVERS = new Set(['kysely', 'pg', 'better-sqlite3']);
const SQL_CALLS = /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|selectNoFrom|withRecursive)\s*\(|\bsql\s*(<[^>`\n]*>)?\s*`/g;

// ---------------------------------------------------------------------------------------------------------------

/** Comments blanked in `code`; comments and the contents of strings, templates and regexes blanked in `bare`.
 * Newlines are kept in both, so offsets and line numbers are the source's. */
export function blank(src) {
  let code = '', bare = '', i = 0;
  const modes = ['code']; // a template's ${…} pushes 'code' with its brace depth
  const depth = [0];
  const put = (c, keep) => { code += c; bare += keep || c === '\n' ? c : ' '; };
  const gap = (c) => { const b = c === '\n' ? '\n' : ' '; code += b; bare += b; };
  const sigAt = () => { let k = code.length - 1; while (k >= 0 && /\s/.test(code[k])) k--; return k; };
  const lastSig = () => code[sigAt()] ?? '';
  const lastWord = () => { const e = sigAt() + 1; let k = e; while (k > 0 && /[\w$]/.test(code[k - 1])) k--; return code.slice(k, e); };
  while (i < src.length) {
    const c = src[i], d = src[i + 1], mode = modes[modes.length - 1];
    if (mode === 'tpl') {
      if (c === '\\') { put(c); put(d ?? ''); i += 2; continue; }
      if (c === '`') { put(c, true); modes.pop(); i++; continue; }
      if (c === '$' && d === '{') { put(c, true); put(d, true); modes.push('code'); depth.push(0); i += 2; continue; }
      put(c); i++; continue;
    }
    if (c === '/' && d === '/') { while (i < src.length && src[i] !== '\n') gap(src[i++]); continue; }
    if (c === '/' && d === '*') {
      gap(' '); gap(' '); i += 2;
      while (i < src.length && !(src[i] === '*' && src[i + 1] === '/')) gap(src[i++]);
      if (i < src.length) { gap(' '); gap(' '); i += 2; }
      continue;
    }
    if (c === "'" || c === '"') {
      put(c, true); i++;
      while (i < src.length && src[i] !== c && src[i] !== '\n') {
        if (src[i] === '\\') put(src[i++]);
        if (i < src.length) put(src[i++]);
      }
      if (src[i] === c) { put(c, true); i++; }
      continue;
    }
    if (c === '`') { put(c, true); modes.push('tpl'); i++; continue; }
    if (c === '/') {
      const before = lastSig();
      const regex = before === '' || '(,=:[!&|?{};+-*%<>~^'.includes(before)
        || /^(return|typeof|case|in|of|yield|await|else|void|delete|throw|instanceof)$/.test(lastWord());
      if (regex) {
        put(c, true); i++;
        let cls = false;
        while (i < src.length && src[i] !== '\n' && (cls || src[i] !== '/')) {
          if (src[i] === '\\') put(src[i++]);
          else if (src[i] === '[') cls = true;
          else if (src[i] === ']') cls = false;
          if (i < src.length) put(src[i++]);
        }
        if (src[i] === '/') { put('/', true); i++; }
        continue;
      }
    }
    if (c === '{') depth[depth.length - 1]++;
    if (c === '}' && modes.length > 1) {
      if (depth[depth.length - 1] === 0) { put(c, true); modes.pop(); depth.pop(); i++; continue; }
      depth[depth.length - 1]--;
    }
    put(c, true); i++;
  }
  return { code, bare };
}

const STATIC = /\b(import|export)\s+(type\s+)?([\w\s{},*$]*?)\bfrom\s*(['"])([^'"\n]+)\4/g;
const SIDE_EFFECT = /\bimport\s*(['"])([^'"\n]+)\1/g;
const DYNAMIC = /(\btypeof\s+)?\bimport\s*\(\s*(['"`])([^'"`\n]+)\2\s*\)(\s*\.\s*([A-Za-z_$][\w$]*))?/g;
const REQUIRE = /\brequire\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g;

/** Every import of a file: { spec, index, typeOnly }. A keyword inside a string (a worker's source) is skipped. */
export function importsOf(code, bare) {
  const out = [];
  const live = (m) => bare[m.index] !== ' ';
  for (const m of code.matchAll(STATIC)) {
    if (!live(m)) continue;
    const clause = m[3].trim();
    const inlineTypes = clause.startsWith('{') && clause.slice(1, -1).split(',').map((s) => s.trim()).filter(Boolean)
      .every((s) => s.startsWith('type '));
    out.push({ spec: m[5], index: m.index, typeOnly: Boolean(m[2]) || inlineTypes });
  }
  for (const m of code.matchAll(SIDE_EFFECT)) if (live(m)) out.push({ spec: m[2], index: m.index, typeOnly: false });
  for (const m of code.matchAll(DYNAMIC)) {
    if (!live(m)) continue;
    const member = m[5];
    const typeOnly = Boolean(m[1]) || (member !== undefined && !['then', 'catch', 'finally'].includes(member));
    out.push({ spec: m[3], index: m.index + (m[1]?.length ?? 0), typeOnly });
  }
  for (const m of code.matchAll(REQUIRE)) if (live(m)) out.push({ spec: m[2], index: m.index, typeOnly: false });
  return out;
}

const inPath = (file, spec) => (spec.endsWith('/') ? file.startsWith(spec) : file === spec);

export function layerOf(file) {
  let best = null, len = -1;
  for (const [layer, specs] of Object.entries(LAYERS)) {
    for (const s of specs) if (inPath(file, s) && s.length > len) [best, len] = [layer, s.length];
  }
  return best;
}

const matches = (spec, file, layer, self) =>
  spec === '*' || spec === layer || (spec === 'self' && layer === self) ||
  (GROUPS[spec]?.includes(layer) ?? false) || (spec.startsWith('src/') && inPath(file, spec));

/** Whether `from` (a file under src/) may import `to`. */
export function allowed(from, to) {
  const [fl, tl] = [layerOf(from), layerOf(to)];
  return RULES.some((r) => matches(r.from, from, fl, fl) && r.may.some((m) => matches(m, to, tl, fl)));
}

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (/\.(ts|mjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

const BUILTINS = new Set(builtinModules.map((m) => m.replace(/^node:/, '').split('/')[0]));
const packageOf = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

export function check(root) {
  const files = walk(path.join(root, 'src')).sort();
  const violations = [];
  for (const abs of files) {
    const file = path.relative(root, abs).split(path.sep).join('/');
    const { code, bare } = blank(readFileSync(abs, 'utf8'));
    const lineAt = (index) => code.slice(0, index).split('\n').length;
    const flag = (index, rule, detail) => violations.push({ file, line: lineAt(index), rule, detail });
    const layer = layerOf(file);
    const pure = GROUPS.pure.includes(layer);
    if (!layer) flag(0, 'A-layer', 'in no layer: add it to LAYERS in scripts/check-layers.mjs');
    for (const { spec, index, typeOnly } of importsOf(code, bare)) {
      const kind = typeOnly ? 'type import' : 'import';
      if (spec.startsWith('.')) {
        const target = path.relative(root, path.resolve(path.dirname(abs), spec)).split(path.sep).join('/');
        if (!target.startsWith('src/') || !layer) continue;
        const tl = layerOf(target);
        if (!allowed(file, target)) flag(index, 'A-layer', `${layer} → ${tl ?? 'no layer'}: ${kind} of ${target}`);
        continue;
      }
      const bareName = spec.replace(/^node:/, '');
      const pkg = packageOf(bareName);
      const builtin = spec.startsWith('node:') || BUILTINS.has(pkg);
      if (pure && ((builtin && !ALLOWED_BUILTINS.has(pkg)) || (!builtin && IO_PACKAGES.has(pkg)))) {
        flag(index, 'B-io', `${layer} is pure: ${kind} of '${spec}'`);
      }
      if (!typeOnly && SQL_DRIVERS.has(pkg) && layer !== 'store') flag(index, 'C-sql', `value import of '${spec}' outside src/store`);
    }
    if (pure) {
      for (const re of CLOCK) for (const m of bare.matchAll(re)) flag(m.index, 'B-clock', `${layer} is pure: ${m[0].trim()} (time comes in as an argument)`);
    }
    if (layer !== 'store') {
      for (const m of bare.matchAll(SQL_CALLS)) flag(m.index, 'C-sql', `${m[0].replace(/\s+/g, '')} outside src/store`);
    }
  }
  violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule));
  return { files: files.length, violations };
}

function main(argv) {
  const rootAt = argv.indexOf('--root');
  const root = path.resolve(rootAt >= 0 ? argv[rootAt + 1] ?? '' : path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  if (!existsSync(path.join(root, 'src'))) {
    console.error(`check-layers: no src/ under ${root}`);
    return 2;
  }
  const { files, violations } = check(root);
  if (argv.includes('--json')) {
    console.log(JSON.stringify({ files, violations }, null, 2));
    return violations.length ? 1 : 0;
  }
  if (!violations.length) {
    console.log(`✓ layers: ${files} files, no crossing`);
    return 0;
  }
  for (const v of violations) console.log(`${v.file}:${v.line}  ${v.rule}  ${v.detail}`);
  const perRule = {};
  for (const v of violations) perRule[v.rule] = (perRule[v.rule] ?? 0) + 1;
  const counts = Object.entries(perRule).sort(([a], [b]) => a.localeCompare(b)).map(([r, n]) => `${r} ${n}`).join(', ');
  const inFiles = new Set(violations.map((v) => v.file)).size;
  console.log(`✗ layers: ${violations.length} violations in ${inFiles} of ${files} files (${counts}); see README, "Architecture"`);
  return 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
