// The console's registration form (登记来电/来访/来信/12345/信访/省厅): its fields and their checks, in Chinese. The
// limits are the bot's /new ones, so a case registered either way fits the same columns.
import type { ConsoleCase } from '../cases/web-register.ts';
import { SOURCE_NAMES, type Source } from '../domain.ts';

export const FORM_SOURCES = ['phone', 'visit', 'letter', '12345', 'petition', 'province'] as const satisfies readonly Exclude<Source, 'email'>[];
/** Transfers carry the transferring body and its reference number (annex 3's columns). */
export const TRANSFERRED: ReadonlySet<string> = new Set(['petition', 'province']);
export const SOURCE_OPTIONS = FORM_SOURCES.map((s) => [s, SOURCE_NAMES[s]] as const);

const MAX = { name: 40, phone: 20, email: 100, compound: 100, address: 100, company: 100, transfer: 100, content: 5000 } as const;
const PHONE = /^\+?[\d\s()-]{7,20}$/;
const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;

export type FormValues = Record<keyof typeof MAX | 'source' | 'county', string>;

export function formValues(body: Record<string, unknown>): FormValues {
  const v = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).trim() : '');
  return {
    source: v('source'), county: v('county'), transfer: v('transfer'), name: v('name'), phone: v('phone'), email: v('email'),
    compound: v('compound'), address: v('address'), company: v('company'), content: v('content'),
  };
}

/** The case, or every problem found (field → Chinese message). `counties`: those the user may register for. */
export function parseRegisterForm(f: FormValues, counties: readonly string[]): { ok: true; value: ConsoleCase } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const source = FORM_SOURCES.find((s) => s === f.source);
  if (!source) errors.source = '请选择来源';
  if (!counties.includes(f.county)) errors.county = '请选择县区';
  const transfer = source && TRANSFERRED.has(source);
  if (transfer && !f.transfer) errors.transfer = '转办件须填写转办单位和文号';
  if (f.phone && !PHONE.test(f.phone)) errors.phone = '电话号码格式不正确';
  if (f.email && !EMAIL.test(f.email)) errors.email = '电子邮箱格式不正确';
  if (!f.compound) errors.compound = '请填写小区名称';
  if (!f.content) errors.content = '请填写投诉内容';
  for (const [k, max] of Object.entries(MAX)) {
    const value = f[k as keyof typeof MAX];
    if (!errors[k] && [...value].length > max) errors[k] = `内容过长（最多 ${max} 字）`;
  }
  if (Object.keys(errors).length || !source) return { ok: false, errors };
  const orNull = (s: string) => s || null;
  return {
    ok: true,
    value: {
      source, county: f.county, transfer: transfer ? f.transfer : null, name: orNull(f.name), phone: f.phone ? f.phone.replace(/\s+/g, '') : null,
      email: orNull(f.email), compound: f.compound, address: orNull(f.address), company: orNull(f.company), content: f.content,
    },
  };
}
