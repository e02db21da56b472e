// Configuration: config/default.yaml, then the file named by WUYE_CONFIG merged over it, then the
// environment variables operators and scripts rely on. Validated with zod; every bad field is reported with
// its path, in Chinese and English, so one run shows everything to fix.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cron from 'node-cron';
import YAML from 'yaml';
import { z } from 'zod';
import { UNIT_CODES, UNIT_FULL_NAMES, UNIT_NAMES, type UnitCode } from './domain.ts';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_CONFIG_FILE = path.join(PROJECT_ROOT, 'config', 'default.yaml');

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'HH:MM' });
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, { message: 'ENV_NAME' });
const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, { message: 'host:port' });
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'YYYY-MM-DD' });

const imapSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(993),
    secure: z.boolean().default(true),
    user: z.string().min(1),
    passwordEnv: envName,
    rejectUnauthorized: z.boolean().default(true),
    mailbox: z.string().default('INBOX'),
  })
  .strict();

const mailboxSchema = z
  .object({
    address: z.string().email(),
    county: z.string().min(1),
    imap: imapSchema.nullable().default(null),
  })
  .strict();

const countySchema = z
  .object({
    code: z.string().regex(/^[a-z][a-z0-9-]*$/, { message: 'lowercase-code' }),
    name: z.string().min(1),
    prefix: z.string().regex(/^[A-Z]{2,4}$/, { message: 'AB' }),
    /** The housing office's public phone, signed under every letter to residents of the county. */
    phone: z.string().min(3).optional(),
  })
  .strict();

const unitSchema = z.object({ code: z.enum(UNIT_CODES), name: z.string().min(1) }).strict();

const smtpOutSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    secure: z.boolean().default(false),
    user: z.string().optional(),
    passwordEnv: envName.optional(),
    rejectUnauthorized: z.boolean().default(true),
  })
  .strict();

const recipients = z.array(z.string().email()).default([]);

export const configSchema = z
  .object({
    city: z.object({ code: z.string().min(1), name: z.string().min(1) }).strict(),
    counties: z.array(countySchema).min(1),
    units: z.array(unitSchema).length(UNIT_CODES.length),
    mailboxes: z.array(mailboxSchema).default([]),
    dataDir: z.string().default('./data'),
    db: z.string().nullable().default(null),
    intake: z
      .object({
        smtpListen: hostPort.nullable().default('127.0.0.1:2525'),
        maxMessageBytes: z.number().int().positive().default(25 * 1024 * 1024),
        dropDir: z.boolean().default(true),
        ackPerSenderPerHour: z.number().int().positive().default(5),
        perMailTimeoutMs: z.number().int().positive().default(10_000),
        // SMTP sessions at once, in total and from one address, and how long one may sit idle: idle sockets must not
        // use up the file handles real mail and the database need.
        smtpMaxClients: z.number().int().positive().default(100),
        smtpMaxPerAddress: z.number().int().positive().default(10),
        smtpIdleTimeoutMs: z.number().int().positive().default(60_000),
      })
      .strict()
      .default({
        smtpListen: '127.0.0.1:2525',
        maxMessageBytes: 25 * 1024 * 1024,
        dropDir: true,
        ackPerSenderPerHour: 5,
        perMailTimeoutMs: 10_000,
        smtpMaxClients: 100,
        smtpMaxPerAddress: 10,
        smtpIdleTimeoutMs: 60_000,
      }),
    bot: z
      .object({
        tokenEnv: envName.default('TELEGRAM_BOT_TOKEN'),
        apiRoot: z.string().url().nullable().default(null),
        proxy: z.string().url().nullable().default(null),
        username: z.string().nullable().default(null),
        // Telegram delivers only to https (the reverse proxy in front of `listen` holds the certificate).
        webhook: z
          .object({ url: z.string().url().refine((u) => u.startsWith('https://'), { message: 'Telegram 只向 https 地址推送 webhook url must be https://' }), listen: hostPort })
          .strict()
          .nullable()
          .default(null),
        inviteTtlHours: z.number().positive().default(72),
      })
      .strict()
      .default({ tokenEnv: 'TELEGRAM_BOT_TOKEN', apiRoot: null, proxy: null, username: null, webhook: null, inviteTtlHours: 72 }),
    /** The web console (src/web): loopback by default, behind a TLS reverse proxy in production (deploy/). */
    web: z
      .object({
        listen: hostPort.nullable().default('127.0.0.1:8080'),
        secureCookies: z.boolean().default(false),
        trustProxy: z.boolean().default(false),
        /** The console's address as officers' browsers reach it (the bot's /web links); null → http://<listen>. */
        publicUrl: z.string().url().nullable().default(null),
        /** How long a /web login link stays usable. */
        loginLinkMinutes: z.number().positive().max(60).default(10),
      })
      .strict()
      .default({ listen: '127.0.0.1:8080', secureCookies: false, trustProxy: false, publicUrl: null, loginLinkMinutes: 10 }),
    mail: z
      .object({
        from: z.string().min(3),
        smtp: smtpOutSchema.nullable().default(null),
      })
      .strict(),
    schedule: z
      .object({
        timezone: z.literal('Asia/Shanghai').default('Asia/Shanghai'),
        weekly: z.string().default('30 11 * * 5'),
        province: z.string().default('0 17 * * 5'),
        provinceData: z.string().default('0 9 * * 4'),
        discipline: z.string().default('0 16 * * 5'),
        monthly: z.string().default('0 9 1 * *'),
        reminders: z.string().default('*/10 * * * *'),
        companies: z.string().default('0 7 * * *'),
        housekeeping: z.string().default('30 3 * * *'),
        unregistered: z.string().default('30 8 * * *'),
        quietHours: z.object({ start: hhmm, end: hhmm }).strict().default({ start: '21:00', end: '08:00' }),
        /** When the day's one letter to each complainant goes out (Asia/Shanghai), all of that day's steps in it. */
        residentLetters: hhmm.default('17:30'),
      })
      .strict()
      .default({
        timezone: 'Asia/Shanghai',
        weekly: '30 11 * * 5',
        province: '0 17 * * 5',
        provinceData: '0 9 * * 4',
        discipline: '0 16 * * 5',
        monthly: '0 9 1 * *',
        reminders: '*/10 * * * *',
        companies: '0 7 * * *',
        housekeeping: '30 3 * * *',
        unregistered: '30 8 * * *',
        quietHours: { start: '21:00', end: '08:00' },
        residentLetters: '17:30',
      }),
    reports: z
      .object({
        campaignStart: isoDate,
        reportingUnit: z.string().min(1),
        /** 填报人 of annex 2: the person who answers for the form (004 附件2); the reporting unit when not set. */
        filler: z.string().min(1).nullable().default(null),
        recipients: z
          .object({ weekly: recipients, province: recipients, discipline: recipients, monthly: recipients, admin: recipients })
          .strict(),
      })
      .strict(),
    // Reporting direction (domain.md, Reporting): a county sends its brief and annexes to the city every Friday
    // before 12:00 (004 五(五)) and has its status ready for the province's Thursday dispatch (000 附件 四); the
    // Friday 17:00 report is not a county's duty. A city collects its counties (annex 3: one row each) and feeds the
    // province's Friday report.
    deployment: z
      .object({ level: z.enum(['county', 'city']).default('city') })
      .strict()
      .default({ level: 'city' }),
    holidaysFile: z.string().default('holidays.yaml'),
    log: z.object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info') }).strict().default({ level: 'info' }),
  })
  .strict()
  .superRefine((c, ctx) => {
    const counties = new Set(c.counties.map((k) => k.code));
    c.mailboxes.forEach((m, i) => {
      if (!counties.has(m.county)) ctx.addIssue({ code: 'custom', path: ['mailboxes', i, 'county'], message: `未知县区 unknown county "${m.county}"` });
    });
    const seen = new Set<string>();
    c.counties.forEach((k, i) => {
      if (seen.has(k.prefix)) ctx.addIssue({ code: 'custom', path: ['counties', i, 'prefix'], message: `编号前缀重复 duplicate prefix ${k.prefix}` });
      seen.add(k.prefix);
    });
    for (const [job, expr] of Object.entries(c.schedule)) {
      if (job !== 'timezone' && job !== 'residentLetters' && typeof expr === 'string' && !cron.validate(expr)) {
        ctx.addIssue({ code: 'custom', path: ['schedule', job], message: `无效的 cron 表达式 invalid cron expression "${expr}"` });
      }
    }
    if (c.deployment.level === 'county' && c.counties.length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['deployment', 'level'], message: `县级部署只能配置一个县区 a county deployment serves one county (${c.counties.length} configured)` });
    }
    const units = new Set(c.units.map((u) => u.code));
    if (units.size !== UNIT_CODES.length) {
      ctx.addIssue({ code: 'custom', path: ['units'], message: '须含全部12个成员单位 all 12 units required, each once' });
    }
  });

export type Config = z.infer<typeof configSchema> & {
  /** Resolved absolute data directory and database URL (after environment overrides). */
  dataDir: string;
  db: string;
  configDir: string;
};
export type MailboxConfig = Config['mailboxes'][number];
export type CountyConfig = Config['counties'][number];

export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    readonly file: string,
  ) {
    super(`配置无效 invalid configuration (${file}):\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const TYPE_CN: Record<string, string> = {
  number: '数字',
  string: '字符串',
  boolean: '布尔值',
  array: '列表',
  object: '对象',
};

/** `mailboxes[3].port` */
export function formatPath(p: PropertyKey[]): string {
  let out = '';
  for (const k of p) out += typeof k === 'number' ? `[${k}]` : out ? `.${String(k)}` : String(k);
  return out || '(根 root)';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path);
  switch (issue.code) {
    case 'invalid_type': {
      const exp = String(issue.expected);
      if (/received undefined/.test(issue.message)) return `${where}: 必填 / required (${exp})`;
      return `${where}: 应为${TYPE_CN[exp] ?? exp} / expected ${exp}`;
    }
    case 'unrecognized_keys':
      return issue.keys
        .map((k) => {
          const p = formatPath([...issue.path, k]);
          return /password|secret|token/i.test(k) && k !== 'passwordEnv' && k !== 'tokenEnv'
            ? `${p}: 不得直接写入密钥，请用 passwordEnv/tokenEnv 引用环境变量 / secrets must be referenced by env-var name`
            : `${p}: 未知字段 / unknown key`;
        })
        .join('\n  ');
    case 'too_small':
      return `${where}: 过小或过短 / too small (minimum ${String(issue.minimum)})`;
    case 'too_big':
      return `${where}: 过大或过长 / too big (maximum ${String(issue.maximum)})`;
    case 'invalid_value':
      return `${where}: 取值应为 ${issue.values.map(String).join(' | ')} / expected one of these`;
    case 'invalid_format':
      return issue.format === 'regex' && !issue.message.startsWith('Invalid')
        ? `${where}: 格式应为 ${issue.message} / expected format ${issue.message}`
        : `${where}: 格式不正确 / invalid ${issue.format}`;
    case 'invalid_string' as never:
    default:
      return `${where}: ${issue.message.includes(' ') ? issue.message : `格式应为 ${issue.message} / expected format ${issue.message}`}`;
  }
}

/** Cross-field checks that zod's refinement would skip while any field is malformed: run on the raw document. */
function crossCheck(raw: unknown): string[] {
  const out: string[] = [];
  if (!isPlainObject(raw)) return out;
  const counties = Array.isArray(raw.counties) ? raw.counties.filter(isPlainObject).map((c) => c.code) : [];
  if (Array.isArray(raw.mailboxes)) {
    raw.mailboxes.forEach((m, i) => {
      if (isPlainObject(m) && typeof m.county === 'string' && !counties.includes(m.county)) {
        out.push(`${formatPath(['mailboxes', i, 'county'])}: 未知县区 unknown county "${m.county}"`);
      }
    });
  }
  return out;
}

export function validateConfig(raw: unknown, file: string): z.infer<typeof configSchema> {
  const r = configSchema.safeParse(raw);
  if (!r.success) {
    const problems = r.error.issues.map(describeIssue);
    for (const p of crossCheck(raw)) if (!problems.includes(p)) problems.push(p);
    throw new ConfigError(problems, file);
  }
  return r.data;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge of YAML documents: objects merge, arrays and scalars replace. */
export function mergeConfig(base: unknown, over: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? mergeConfig(base[k], v) : v;
    return out;
  }
  return over === undefined ? base : over;
}

function readYaml(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError([`无法读取文件 cannot read file: ${(e as Error).message}`], file);
  }
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) throw new ConfigError(doc.errors.map((e) => `YAML: ${e.message}`), file);
  try {
    return doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (e) {
    // An alias bomb and similar: the document is valid YAML but not a sane config.
    throw new ConfigError([`YAML: 无法展开文档 cannot expand the document: ${(e as Error).message}`], file);
  }
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  file?: string;
  cwd?: string;
}

export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  let raw = readYaml(DEFAULT_CONFIG_FILE);
  const overFile = opts.file ?? env.WUYE_CONFIG;
  let file = DEFAULT_CONFIG_FILE;
  if (overFile) {
    file = path.resolve(cwd, overFile);
    if (!existsSync(file)) throw new ConfigError([`文件不存在 file not found`], file);
    raw = mergeConfig(raw, readYaml(file));
  }
  const cfg = validateConfig(raw, file);
  const dataDir = path.resolve(cwd, env.WUYE_DATA_DIR ?? cfg.dataDir);
  const db = env.WUYE_DB || cfg.db || `sqlite:${path.join(dataDir, 'wuye.db')}`;
  if (!/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(db)) {
    const shown = db.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
    throw new ConfigError([`db: 不支持的数据库地址 unsupported database URL "${shown}" (sqlite:<file> | postgres://…)${env.WUYE_DB ? ' (from WUYE_DB)' : ''}`], file);
  }
  if (env.WUYE_SMTP_LISTEN !== undefined) {
    cfg.intake.smtpListen = env.WUYE_SMTP_LISTEN === '' || env.WUYE_SMTP_LISTEN === 'off' ? null : env.WUYE_SMTP_LISTEN;
  }
  if (env.WUYE_WEB_LISTEN !== undefined) {
    cfg.web.listen = env.WUYE_WEB_LISTEN === '' || env.WUYE_WEB_LISTEN === 'off' ? null : env.WUYE_WEB_LISTEN;
  }
  if (env.TELEGRAM_API_ROOT) cfg.bot.apiRoot = env.TELEGRAM_API_ROOT;
  if (!cfg.bot.proxy && (env.HTTPS_PROXY || env.https_proxy)) cfg.bot.proxy = (env.HTTPS_PROXY || env.https_proxy) ?? null;
  return { ...cfg, dataDir, db, configDir: path.dirname(DEFAULT_CONFIG_FILE) };
}

/** A secret referenced by env-var name; undefined when unset. Never log the value. */
export function secret(env: NodeJS.ProcessEnv, name: string | undefined): string | undefined {
  if (!name) return undefined;
  const v = env[name];
  return v && v.length ? v : undefined;
}

export function botToken(cfg: Config, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return secret(env, cfg.bot.tokenEnv);
}

export function unitName(cfg: Config, code: UnitCode): string {
  return cfg.units.find((u) => u.code === code)?.name ?? code;
}

/** Each unit's short name as this deployment calls it (config `units`), the built-in name otherwise. */
export function unitNamesOf(cfg: Pick<Config, 'units'>): Record<UnitCode, string> {
  const out = { ...UNIT_NAMES };
  for (const u of cfg.units) out[u.code] = u.name;
  return out;
}

/** A unit by its code (housing), its short name (住建, or the configured one) or its full name (住房和城乡建设局). */
export function unitByCodeOrName(cfg: Pick<Config, 'units'>, text: string): UnitCode | undefined {
  const t = text.trim();
  return UNIT_CODES.find((u) => u === t || UNIT_NAMES[u] === t || UNIT_FULL_NAMES[u] === t || cfg.units.find((x) => x.code === u)?.name === t);
}

export function countyByCode(cfg: Config, code: string): CountyConfig | undefined {
  return cfg.counties.find((c) => c.code === code || c.name === code);
}
