// `wuye compound import FILE` and `wuye compound list`: the compound register (004 五(二) 台账化管理): every compound
// with its company, township (街道) and community. A case naming a registered compound gets its company from here.
import ExcelJS from 'exceljs';
import type { Config } from '../config.ts';
import { importCompounds, type CompoundRow } from '../cases/company.ts';
import { listCompounds } from '../store/companies.ts';
import { caseDepsOf, operatorName, printJson, withStore } from './common.ts';

const COLUMNS: Record<keyof CompoundRow, string[]> = {
  name: ['小区', '小区名称', 'compound', 'name'],
  county: ['县区', '县(市、区)', '县（市、区）', 'county'],
  company: ['物业企业', '物业服务企业', 'company'],
  township: ['乡镇', '乡镇(街道)', '乡镇（街道）', '街道', 'township'],
  community: ['社区', '社区(村)', '社区（村）', 'community'],
};

/** Reads a CSV (UTF-8) or XLSX file whose first row names the columns (小区, 县区, 物业企业, 乡镇(街道), 社区). */
async function readRows(file: string): Promise<{ rows: CompoundRow[] } | { error: string }> {
  const wb = new ExcelJS.Workbook();
  const ws = file.toLowerCase().endsWith('.xlsx') ? ((await wb.xlsx.readFile(file)), wb.worksheets[0]) : await wb.csv.readFile(file);
  if (!ws) return { error: '文件中没有工作表 no sheet' };
  const header = (ws.getRow(1).values as unknown[]).map((v) => String(v ?? '').trim());
  const at = {} as Record<keyof CompoundRow, number>;
  for (const [key, names] of Object.entries(COLUMNS) as [keyof CompoundRow, string[]][]) {
    const i = header.findIndex((h) => names.includes(h));
    if (i < 0 && (key === 'name' || key === 'county')) return { error: `缺少列“${names[0]}” missing column ${key}` };
    at[key] = i;
  }
  const rows: CompoundRow[] = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const cell = (k: keyof CompoundRow) => (at[k] >= 0 ? String(row.getCell(at[k]).text ?? '').trim() : '');
    if (!cell('name') && !cell('county')) return;
    rows.push({ name: cell('name'), county: cell('county'), company: cell('company') || null, township: cell('township') || null, community: cell('community') || null });
  });
  return { rows };
}

export async function compoundImport(cfg: Config, file: string, o: { by?: string } = {}): Promise<number> {
  let read: Awaited<ReturnType<typeof readRows>>;
  try {
    read = await readRows(file);
  } catch (e) {
    process.stderr.write(`✗ 无法读取 cannot read ${file}: ${(e as Error).message}\n`);
    return 1;
  }
  if ('error' in read) {
    process.stderr.write(`✗ ${read.error}\n`);
    return 2;
  }
  const rows = read.rows;
  return withStore(cfg, async (store) => {
    const by = operatorName(o.by);
    const r = await importCompounds(caseDepsOf(cfg, store), rows, { kind: 'system', ...(by ? { name: by } : {}) });
    if (!r.ok) {
      process.stderr.write(`${r.problems.map((p) => `✗ ${p}`).join('\n')}\n`);
      return 2;
    }
    process.stdout.write(`✓ 小区台账：新增 ${r.added}，更新 ${r.updated}\n`);
    return 0;
  });
}

export async function compoundList(cfg: Config, o: { json?: boolean }): Promise<number> {
  return withStore(cfg, async ({ db }) => {
    const rows = await listCompounds(db);
    if (o.json) {
      for (const r of rows) printJson({ name: r.name, county: r.county, company: r.company, township: r.township, community: r.community, registered: r.registered_at !== null });
      return 0;
    }
    process.stdout.write('小区\t县区\t物业企业\t乡镇(街道)\t社区\t来源\n');
    for (const r of rows) process.stdout.write(`${r.name}\t${r.county}\t${r.company ?? '—'}\t${r.township ?? '—'}\t${r.community ?? '—'}\t${r.registered_at ? '台账' : '来信'}\n`);
    return 0;
  });
}
