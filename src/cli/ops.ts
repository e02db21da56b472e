// Operations: `wuye backup`, `wuye restore`, `wuye export`.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { Config } from '../config.ts';
import { fitCell } from '../report/writers/xlsx.ts';
import { liveInstances } from '../instance-lock.ts';
import { backupSqlite, restoreSqlite } from '../store/backup.ts';
import { allCases, allEvents } from '../store/cases.ts';
import { dialectOf, redactUrl } from '../store/db.ts';
import { withStore } from './common.ts';

export async function backupCommand(cfg: Config, out: string): Promise<number> {
  if (dialectOf(cfg.db) === 'sqlite') {
    await backupSqlite(cfg.db, out);
    process.stdout.write(`✓ 已备份 backed up to ${out}\n`);
    return 0;
  }
  const args = ['--format=custom', `--file=${out}`, cfg.db];
  process.stderr.write(`pg_dump --format=custom --file=${out} ${redactUrl(cfg.db)}\n`);
  execFileSync('pg_dump', args, { stdio: 'inherit' });
  process.stdout.write(`✓ 已备份 backed up to ${out}\n`);
  return 0;
}

export async function restoreCommand(cfg: Config, from: string, opts: { force?: boolean } = {}): Promise<number> {
  if (!existsSync(from)) {
    process.stderr.write(`备份文件不存在 no such file: ${from}\n`);
    return 2;
  }
  // Replacing the database under a running service loses the mail it goes on accepting: stop it first.
  const running = liveInstances(cfg.dataDir);
  if (running.length) {
    const who = running.map((r) => `pid ${r.pid}@${r.host}（${r.startedAt} 起）`).join('、');
    process.stderr.write(`服务正在运行，请先停止服务再恢复 / the service is running, stop it first: ${who}\n`);
    return 1;
  }
  if (dialectOf(cfg.db) === 'postgres' && !opts.force) {
    // Services on other machines leave no mark here: the operator confirms that every one is stopped.
    process.stderr.write('PostgreSQL：请先停止所有使用该数据库的服务，再加 --force 恢复 / stop every service using the database, then add --force\n');
    return 2;
  }
  if (dialectOf(cfg.db) === 'sqlite') {
    const target = restoreSqlite(cfg.db, from);
    process.stdout.write(`✓ 已恢复 restored ${target}（原文件已保留为 .before-restore-*）\n`);
    return 0;
  }
  process.stderr.write(`pg_restore --clean --if-exists --dbname=${redactUrl(cfg.db)} ${from}\n`);
  execFileSync('pg_restore', ['--clean', '--if-exists', `--dbname=${cfg.db}`, from], { stdio: 'inherit' });
  process.stdout.write('✓ 已恢复 restored\n');
  return 0;
}

const CASE_COLUMNS = [
  ['tracking', '受理编号'],
  ['county', '县区'],
  ['source', '来源'],
  ['status', '状态'],
  ['unit', '承办单位'],
  ['problem', '问题类型'],
  ['urgent', '紧急'],
  ['receivedAt', '收到时间'],
  ['compound', '小区'],
  ['company', '物业企业'],
  ['subject', '主题'],
  ['finding', '结论'],
  ['result', '办理结果'],
] as const;

/** A value as an XLSX cell: texts fitted to Excel's cell limit. */
function cellOf(v: unknown): unknown {
  return typeof v === 'string' ? fitCell(v) : (v ?? '');
}

function csvCell(v: unknown): string {
  const s = v == null ? '' : String(v);
  // Leading =,+,-,@ would run as formulas in Excel: prefix them (CSV injection).
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export async function exportCommand(cfg: Config, o: { format: string; out: string }): Promise<number> {
  if (o.format !== 'csv' && o.format !== 'xlsx') {
    process.stderr.write(`--format 应为 xlsx 或 csv / expected xlsx or csv\n`);
    return 2;
  }
  return withStore(cfg, async ({ db }) => {
    if (o.format === 'csv') {
      const lines = [CASE_COLUMNS.map(([, zh]) => zh).join(',')];
      for await (const c of allCases(db)) lines.push(CASE_COLUMNS.map(([k]) => csvCell((c as unknown as Record<string, unknown>)[k])).join(','));
      writeFileSync(o.out, `\ufeff${lines.join('\r\n')}\r\n`);
    } else {
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: o.out, useStyles: false });
      const cases = wb.addWorksheet('案件');
      cases.addRow(CASE_COLUMNS.map(([, zh]) => zh)).commit();
      for await (const c of allCases(db)) cases.addRow(CASE_COLUMNS.map(([k]) => cellOf((c as unknown as Record<string, unknown>)[k]))).commit();
      cases.commit();
      const audit = wb.addWorksheet('审计记录');
      audit.addRow(['ID', '案件ID', '类型', '时间', '操作人', '角色', '原状态', '新状态', '数据']).commit();
      for await (const e of allEvents(db)) {
        audit.addRow([e.id, e.complaint_id, e.type, e.at, e.actor_name ?? e.actor_kind, e.actor_role, e.from_status, e.to_status, e.data].map(cellOf)).commit();
      }
      audit.commit();
      await wb.commit();
    }
    process.stdout.write(`✓ 已导出 exported to ${o.out}\n`);
    return 0;
  });
}
