// The `wuye` command. Command names in English, help in Chinese. Each command imports what it needs lazily, so
// `wuye classify` does not open a database and `wuye --help` starts fast.
//
// Exit codes: 0 success · 1 a check failed or an operation failed · 2 bad configuration or bad arguments.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { FiguresSetOptions } from './cli/figures.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { MANUAL_FIGURES } from './report/figures.ts';

export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;

function config(): Config {
  return loadConfig();
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('应为非负整数 / expected a non-negative integer');
  return n;
}

/** Working days to add: up to ten years, which is more than any legal period and keeps the answer instant. */
function workdayCount(v: string): number {
  const n = positiveInt(v);
  if (n > 2500) throw new InvalidArgumentError('工作日数不得超过 2500 / at most 2500 working days');
  return n;
}

function isoDate(v: string): string {
  const t = Date.parse(`${v}T00:00:00Z`);
  // A real calendar day: 2026-02-30 parses (and rolls over), so the round trip must give the same text back.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== v) {
    throw new InvalidArgumentError('日期应为有效的 YYYY-MM-DD / expected a valid YYYY-MM-DD date');
  }
  return v;
}

function isoDateTime(v: string): string {
  if (Number.isNaN(Date.parse(v))) throw new InvalidArgumentError('时间格式应为 ISO 8601 / expected an ISO date-time');
  return v;
}

export function buildProgram(): Command {
  const program = new Command('wuye')
    .description('物业投诉举报受理台 Wuye Desk — 邮件受理、分转、督办、报表')
    .helpCommand('help [命令]', '显示命令帮助')
    .helpOption('-h, --help', '显示帮助')
    .version('0.1.0', '-V, --version', '显示版本')
    .exitOverride()
    .configureOutput({ outputError: (s, write) => write(s) })
    .showHelpAfterError('(使用 --help 查看用法)');

  program
    .command('start')
    .description('启动服务：邮件受理(IMAP/SMTP/投递目录)、机器人、定时任务、发件队列')
    .action(async () => {
      const { runService } = await import('./main.ts');
      await runService(config());
    });

  program
    .command('migrate')
    .description('执行数据库迁移')
    .action(async () => {
      const { withStore } = await import('./cli/common.ts');
      await withStore(config(), async () => {
        process.stdout.write('✓ 数据库已是最新 database is up to date\n');
      });
    });

  program
    .command('doctor')
    .description('检查配置、数据库、各邮箱登录、SMTP、机器人令牌、节假日数据')
    .option('--json', '以 JSON 输出')
    .action(async (opts: { json?: boolean }) => {
      const { doctor } = await import('./cli/doctor.ts');
      process.exitCode = await doctor(config(), { json: !!opts.json });
    });

  program
    .command('classify')
    .description('对 JSON 行 {"id","subject","text"} 分类，每行输出一条结果')
    .option('--file <file>', '从文件读取（默认标准输入）')
    .action(async (opts: { file?: string }) => {
      const { classifyCommand } = await import('./cli/classify.ts');
      process.exitCode = await classifyCommand(opts.file);
    });

  program
    .command('eval-classify')
    .description('用标注集评估分类器：各单位准确率、混淆矩阵、紧急召回率')
    .option('--file <file...>', '标注集文件（默认 test/fixtures/classify-dev.jsonl 与 classify-heldout.jsonl）')
    .action(async (opts: { file?: string[] }) => {
      const { evalCommand } = await import('./cli/classify.ts');
      process.exitCode = await evalCommand(opts.file);
    });

  program
    .command('ingest')
    .description('把 .eml 文件作为收到的邮件受理，每个文件输出一行 JSON')
    .argument('<文件...>', '.eml 文件')
    .option('--mailbox <地址>', '视为投递到该邮箱（默认按邮件的收件人 Delivered-To/To/Cc 确定县区）')
    .action(async (files: string[], opts: { mailbox?: string }) => {
      const { ingestCommand } = await import('./cli/ingest.ts');
      process.exitCode = await ingestCommand(config(), files, opts.mailbox);
    });

  const workdays = program.command('workdays').description('工作日计算（含调休）');
  workdays
    .command('add')
    .description('给定日期之后的第 n 个工作日（当日不计）')
    .argument('<日期>', 'YYYY-MM-DD', isoDate)
    .argument('<n>', '工作日数', workdayCount)
    .action(async (day: string, n: number) => {
      const { workdaysAdd } = await import('./cli/time.ts');
      process.stdout.write(`${await workdaysAdd(config(), day, n)}\n`);
    });

  program
    .command('holidays')
    .description('节假日：show <年> 显示该年放假与调休安排及其来源')
    .command('show')
    .argument('<年>', 'YYYY', (v: string) => {
      if (!/^\d{4}$/.test(v)) throw new InvalidArgumentError('应为四位年份 expected a year, e.g. 2027');
      return Number(v);
    })
    .action(async (year: number) => {
      const { holidaysShow } = await import('./cli/time.ts');
      process.exitCode = await holidaysShow(config(), year);
    });

  program
    .command('deadline')
    .description('计算期限：transfer|close|complex|plan|progress|verify|penalty|penalty-extended')
    .requiredOption('--from <时间>', '起算时间 ISO 8601', isoDateTime)
    .requiredOption('--rule <规则>', '期限规则')
    .action(async (opts: { from: string; rule: string }) => {
      const { deadlineCommand } = await import('./cli/time.ts');
      process.exitCode = await deadlineCommand(config(), opts.from, opts.rule);
    });

  const kase = program.command('case').description('案件');
  kase
    .command('show')
    .description('显示案件、期限与完整审计记录')
    .argument('<编号>', '受理编号，如 YH-2026-000123')
    .option('--json', '以 JSON 输出')
    .action(async (tracking: string, opts: { json?: boolean }) => {
      const { caseShow } = await import('./cli/case.ts');
      process.exitCode = await caseShow(config(), tracking, !!opts.json);
    });

  const officer = program.command('officer').description('承办人员与邀请');
  officer
    .command('invite')
    .description('生成一次性、限时有效的机器人绑定链接')
    .requiredOption('--unit <单位>', '单位代码或名称，如 housing、住建、住房和城乡建设局')
    .requiredOption('--county <县区>', '县区代码或名称')
    .requiredOption('--role <角色>', 'officer|cosigner|reviewer|supervisor|admin')
    .option('--name <姓名>', '姓名')
    .option('--head', '单位负责人：批准延长处罚期限（000 附件 三(二)）')
    .action(async (opts: { unit: string; county: string; role: string; name?: string; head?: boolean }) => {
      const { officerInvite } = await import('./cli/officer.ts');
      process.exitCode = await officerInvite(config(), opts);
    });
  officer
    .command('list')
    .description('列出人员与邀请')
    .action(async () => {
      const { officerList } = await import('./cli/officer.ts');
      process.exitCode = await officerList(config());
    });
  officer
    .command('revoke')
    .description('作废未使用的邀请')
    .argument('<邀请码>')
    .action(async (code: string) => {
      const { officerRevoke } = await import('./cli/officer.ts');
      process.exitCode = await officerRevoke(config(), code);
    });
  officer
    .command('deactivate')
    .description('停用人员')
    .argument('<人员ID>', '人员 ID', positiveInt)
    .action(async (id: number) => {
      const { officerDeactivate } = await import('./cli/officer.ts');
      process.exitCode = await officerDeactivate(config(), id);
    });

  const user = program.command('user').description('网页控制台账号（密码从标准输入读一行）');
  user
    .command('add')
    .description('新建账号：echo 密码 | wuye user add --login L --role R --county C')
    .requiredOption('--login <登录名>', '登录名')
    .requiredOption('--role <角色>', 'desk|admin|supervisor|leader|officer')
    .requiredOption('--county <县区>', '县区代码（市本级代码即全市）')
    .option('--unit <单位>', '单位代码（承办人必填）')
    .option('--name <姓名>', '姓名')
    .action(async (opts: { login: string; role: string; county: string; unit?: string; name?: string }) => {
      const { userAdd } = await import('./cli/user.ts');
      process.exitCode = await userAdd(config(), opts);
    });
  user
    .command('list')
    .description('列出账号')
    .option('--json', '每行一个 JSON')
    .action(async (opts: { json?: boolean }) => {
      const { userList } = await import('./cli/user.ts');
      process.exitCode = await userList(config(), opts);
    });
  user
    .command('disable')
    .description('停用账号（其会话立即失效）')
    .argument('<登录名>')
    .action(async (login: string) => {
      const { userDisable } = await import('./cli/user.ts');
      process.exitCode = await userDisable(config(), login);
    });
  user
    .command('totp')
    .description('开启（新密钥，二维码只显示一次）或关闭登录动态口令')
    .argument('<登录名>')
    .option('--off', '关闭')
    .action(async (login: string, opts: { off?: boolean }) => {
      const { userTotp } = await import('./cli/user.ts');
      process.exitCode = await userTotp(config(), login, opts);
    });
  user
    .command('reset')
    .description('重设密码（从标准输入读一行；解除锁定，会话全部失效）')
    .argument('<登录名>')
    .action(async (login: string) => {
      const { userReset } = await import('./cli/user.ts');
      process.exitCode = await userReset(config(), login);
    });

  const report = program.command('report').description('报表：weekly|province|discipline|monthly，或 list');
  report
    .command('list')
    .description('已发送的报表及时间')
    .action(async () => {
      const { reportList } = await import('./cli/report.ts');
      process.exitCode = await reportList(config());
    });
  report
    .command('note')
    .description('写入本周报表的内容：经验做法（工作简报）或难点、堵点（纪委监委周报）')
    .requiredOption('--kind <类别>', 'practice（经验做法）或 obstacle（难点堵点）')
    .requiredOption('--text <内容>', '一条内容（可多次运行写入多条）')
    .option('--week <周次>', 'ISO 周次，如 2026-W49（默认：本周；周六、周日写入下周）')
    .option('--by <姓名>', '填写人（默认系统用户名）')
    .action(async (o: { kind: string; text: string; week?: string; by?: string }) => {
      const { reportNote } = await import('./cli/report.ts');
      process.exitCode = await reportNote(config(), o);
    });
  for (const kind of ['weekly', 'province', 'discipline', 'monthly'] as const) {
    report
      .command(kind)
      .description(
        {
          weekly: '周报：简报、台账(附件2)、汇总表(附件3)、图表',
          province: '省厅周报（周五17:00）',
          discipline: '纪委监委周报',
          monthly: '月度公开通报与红黑榜',
        }[kind],
      )
      .option('--at <时间>', '报表时点 ISO 8601（默认现在）', isoDateTime)
      .option('--out <目录>', '写出文件的目录', '.')
      .option('--send', '通过发件队列发送')
      .action(async (opts: { at?: string; out: string; send?: boolean }) => {
        const { reportCommand } = await import('./cli/report.ts');
        process.exitCode = await reportCommand(config(), kind, opts);
      });
  }

  const mail = program.command('mail').description('未登记的来信（已忽略、已隔离）：查看、登记');
  mail
    .command('list')
    .description('列出未登记的来信（最新在前）')
    .option('--outcome <结果>', 'ignored（已忽略）或 quarantined（已隔离）；默认两者')
    .option('--since <日期>', '自该日起（如 2026-12-01）')
    .option('--limit <n>', '最多几封', positiveInt, 50)
    .option('--json', '每行一个 JSON')
    .action(async (opts: { outcome?: string; since?: string; limit?: number; json?: boolean }) => {
      const { mailList } = await import('./cli/mail.ts');
      process.exitCode = await mailList(config(), opts);
    });
  mail
    .command('show')
    .description('查看一封来信：邮件头、正文、处理结果和原因')
    .argument('<编号>', '邮件编号（mail list 第一列）', positiveInt)
    .option('--json', 'JSON 输出')
    .action(async (id: number, opts: { json?: boolean }) => {
      const { mailShow } = await import('./cli/mail.ts');
      process.exitCode = await mailShow(config(), id, opts);
    });
  mail
    .command('promote')
    .description('把一封未登记的来信登记为投诉（正常流程：分类、分转或待分转、回执）')
    .argument('<编号>', '邮件编号', positiveInt)
    .option('--by <姓名>', '登记人（默认当前系统用户）')
    .action(async (id: number, opts: { by?: string }) => {
      const { mailPromote } = await import('./cli/mail.ts');
      process.exitCode = await mailPromote(config(), id, opts);
    });

  const company = program.command('company').description('物业企业督办事项');
  company
    .command('list')
    .description('列出物业企业：投诉人数（按人去重）、案件数、投诉人满意率')
    .option('--json', '以 JSON 行输出')
    .action(async (opts: { json?: boolean }) => {
      const { companyList } = await import('./cli/company.ts');
      process.exitCode = await companyList(config(), opts);
    });
  const factOpts = (c: ReturnType<typeof company.command>) =>
    c.option('--evidence <说明>', '依据/证据（文件编号、调查报告、平台截图等）').option('--by <姓名>', '登记人（默认系统用户名）');
  factOpts(
    company
      .command('survey')
      .description('登记服务质量和满意度调查结果（000 附件 三(三)）')
      .argument('<企业>', '企业名称或编号')
      .requiredOption('--satisfaction <百分数>', '客户满意度 0–100', Number)
      .option('--on <日期>', '调查完成日期 YYYY-MM-DD（默认今天）')
      .option('--publicised', '已在小区显著位置公示'),
  ).action(async (name: string, o: { satisfaction: number; on?: string; publicised?: boolean; evidence?: string; by?: string }) => {
    const { companyFact } = await import('./cli/company.ts');
    const { shanghaiDay } = await import('./time.ts');
    process.exitCode = await companyFact(config(), name, { fact: 'survey', satisfaction: o.satisfaction, surveyedOn: o.on ?? shanghaiDay(new Date()), publicised: o.publicised === true }, o);
  });
  factOpts(
    company
      .command('refused-to-fix')
      .description('登记企业对投诉问题拒不整改或整改不到位（--undo 撤销）')
      .argument('<企业>', '企业名称或编号')
      .option('--undo', '已整改：撤销该认定'),
  ).action(async (name: string, o: { undo?: boolean; evidence?: string; by?: string }) => {
    const { companyFact } = await import('./cli/company.ts');
    process.exitCode = await companyFact(config(), name, { fact: 'refused-to-fix', on: !o.undo }, o);
  });
  factOpts(
    company
      .command('credit')
      .description('登记山西省信用信息共享平台的信用评价等级')
      .argument('<企业>', '企业名称或编号')
      .requiredOption('--level <等级>', '信用评价等级，如 A、B、C、D')
      .option('--low', '属于信用评价等级低'),
  ).action(async (name: string, o: { level: string; low?: boolean; evidence?: string; by?: string }) => {
    const { companyFact } = await import('./cli/company.ts');
    process.exitCode = await companyFact(config(), name, { fact: 'credit', level: o.level, low: o.low === true }, o);
  });
  factOpts(
    company
      .command('refused-fee')
      .description('登记企业拒不执行重新核级后的收费标准（发改抄送；--undo 撤销）')
      .argument('<企业>', '企业名称或编号')
      .option('--undo', '已执行：撤销该认定'),
  ).action(async (name: string, o: { undo?: boolean; evidence?: string; by?: string }) => {
    const { companyFact } = await import('./cli/company.ts');
    process.exitCode = await companyFact(config(), name, { fact: 'refused-fee', on: !o.undo }, o);
  });
  company
    .command('facts')
    .description('企业已登记的事实（调查、拒不整改、信用、拒不执行收费）及登记人、时间')
    .argument('<企业>', '企业名称或编号')
    .option('--json', '以 JSON 行输出')
    .action(async (name: string, o: { json?: boolean }) => {
      const { companyFactList } = await import('./cli/company.ts');
      process.exitCode = await companyFactList(config(), name, o);
    });
  company
    .command('check')
    .description('立即运行企业阈值检查（平时每天 07:00 自动运行）')
    .option('--at <时间>', '检查时点 ISO 8601（默认现在）', isoDateTime)
    .action(async (o: { at?: string }) => {
      const { companyCheck } = await import('./cli/company.ts');
      process.exitCode = await companyCheck(config(), o);
    });
  company
    .command('actions')
    .description('列出企业督办事项（默认仅未完成）')
    .option('--all', '包括已完成的')
    .option('--json', '以 JSON 行输出')
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      const { companyActions } = await import('./cli/company.ts');
      process.exitCode = await companyActions(config(), opts);
    });
  company
    .command('done')
    .description('登记事项已完成（停止提醒）')
    .argument('<编号>', '事项编号（见 company actions）', positiveInt)
    .option('--by <姓名>', '登记人（默认系统用户名）')
    .action(async (id: number, opts: { by?: string }) => {
      const { companyDone } = await import('./cli/company.ts');
      process.exitCode = await companyDone(config(), id, opts);
    });

  company
    .command('supervise')
    .description('对物业企业挂牌督办（列入重点督办台账，记入审计）')
    .argument('<企业>', '企业名称或编号')
    .requiredOption('--reason <理由>', '挂牌督办的理由')
    .option('--by <姓名>', '登记人（默认系统用户名）')
    .action(async (name: string, o: { reason: string; by?: string }) => {
      const { companySupervise } = await import('./cli/company.ts');
      process.exitCode = await companySupervise(config(), name, o);
    });
  company
    .command('undo')
    .description('撤销事项的完成登记（记入审计；恢复提醒）')
    .argument('<编号>', '事项编号（见 company actions --all）', positiveInt)
    .option('--reason <理由>', '撤销理由')
    .option('--by <姓名>', '登记人（默认系统用户名）')
    .action(async (id: number, opts: { reason?: string; by?: string }) => {
      const { companyUndo } = await import('./cli/company.ts');
      process.exitCode = await companyUndo(config(), id, opts);
    });

  const compound = program.command('compound').description('小区台账：小区、县区、物业企业、乡镇(街道)、社区');
  compound
    .command('import')
    .description('导入小区台账（CSV 或 XLSX，首行为列名：小区,县区,物业企业,乡镇(街道),社区）')
    .argument('<文件>', 'CSV（UTF-8）或 XLSX 文件')
    .option('--by <姓名>', '导入人（默认系统用户名）')
    .action(async (file: string, opts: { by?: string }) => {
      const { compoundImport } = await import('./cli/compound.ts');
      process.exitCode = await compoundImport(config(), file, opts);
    });
  compound
    .command('list')
    .description('列出小区台账（含仅在来信中出现的小区）')
    .option('--json', '以 JSON 行输出')
    .action(async (opts: { json?: boolean }) => {
      const { compoundList } = await import('./cli/compound.ts');
      process.exitCode = await compoundList(config(), opts);
    });

  const figures = program.command('figures').description('附件3 手填数据：查处情况、督导检查情况（各县区累计数）');
  const figuresSetCmd = figures
    .command('set')
    .description('录入某县区截至某日的累计数（只录入给出的项，旧记录保留）')
    .requiredOption('--county <县区>', '县区代码或名称')
    .option('--as-of <日期>', '截至日期 YYYY-MM-DD（默认今天）', isoDate)
    .option('--by <姓名>', '填报人（默认系统用户名）');
  for (const f of MANUAL_FIGURES) figuresSetCmd.option(`--${f.flag} <数>`, f.label, positiveInt);
  figuresSetCmd.action(async (opts: FiguresSetOptions) => {
    const { figuresSet } = await import('./cli/figures.ts');
    process.exitCode = await figuresSet(config(), opts);
  });
  figures
    .command('show')
    .description('各县区截至某日的手填数据（周报附件3所用）')
    .option('--at <日期>', '截至日期 YYYY-MM-DD（默认今天）', isoDate)
    .option('--json', '以 JSON 输出')
    .action(async (opts: { at?: string; json?: boolean }) => {
      const { figuresShow } = await import('./cli/figures.ts');
      process.exitCode = await figuresShow(config(), opts);
    });

  program
    .command('export')
    .description('导出案件与审计记录')
    .requiredOption('--format <格式>', 'xlsx|csv')
    .requiredOption('--out <文件>', '输出文件')
    .action(async (opts: { format: string; out: string }) => {
      const { exportCommand } = await import('./cli/ops.ts');
      process.exitCode = await exportCommand(config(), opts);
    });
  program
    .command('backup')
    .description('备份数据库（SQLite 在线备份；PostgreSQL 调用 pg_dump）')
    .requiredOption('--out <文件>', '备份文件')
    .action(async (opts: { out: string }) => {
      const { backupCommand } = await import('./cli/ops.ts');
      process.exitCode = await backupCommand(config(), opts.out);
    });
  program
    .command('restore')
    .description('从备份恢复数据库（服务须已停止）')
    .requiredOption('--from <文件>', '备份文件')
    .option('--force', 'PostgreSQL：确认所有服务均已停止')
    .action(async (opts: { from: string; force?: boolean }) => {
      const { restoreCommand } = await import('./cli/ops.ts');
      process.exitCode = await restoreCommand(config(), opts.from, { force: opts.force === true });
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `wuye officer list | head`: the reader went away; stop quietly instead of dying on EPIPE.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      process.exitCode = e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return;
    }
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = EXIT.USAGE;
      return;
    }
    process.stderr.write(`错误 error: ${(e as Error).message ?? String(e)}\n`);
    if (process.env.WUYE_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    process.exitCode = EXIT.FAILED;
  }
}
