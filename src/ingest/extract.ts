// Pure: who complains and about which compound, address and company, read from the mail's own words. Residents
// write freely ("我是阳光花园3号楼2单元501的业主王女士，电话139 1234 5678"), so every rule here prefers saying
// nothing over saying something wrong: an officer fills a blank easily, a wrong name misleads. These facts fill
// the ledger's 投诉(举报)人及联系方式 column (004 附件2) and count distinct complainants per company (000 附件 一(三)).
import { stripQuoted } from './signals.ts';

export interface ComplainantFacts {
  name: string | null;
  /** The complainant's own number, best guess; digits only, area code kept (0359…). */
  phone: string | null;
  /** Every number found, normalised, in order of appearance. */
  phones: string[];
  email: string | null;
  compound: string | null;
  address: string | null;
  company: string | null;
}

export interface FactSource {
  subject: string;
  text: string;
  from: { address: string | null; name: string | null };
}

// CJK unified ideographs with extension A (䶮) and the compatibility block; extension B+ (surrogate pairs) is not read.
const HAN = '\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff';

// Common surnames: a name after a weak marker ("我是…", a signature line) must start with one. Characters that are
// mostly ordinary words (于, 和, 全, 路, 时…) are left out on purpose.
const SURNAMES = new Set(
  Array.from(
    '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤康施牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿焦俞左柳祝包尚舒阮柯纪梅童凌毕裴霍涂苗盛翁冉骆靳柴鲍喻祁蒲滕饶牟艾尤穆卓缪车芦褚娄窦戚岑费卜晏柏瞿佟臧闵苟邬卞姬仇栾隋刁巫寇桑甄敖巩佘郎'
  ),
);
const DOUBLE_SURNAMES = ['欧阳', '司马', '诸葛', '上官', '东方', '皇甫', '慕容', '令狐', '司徒', '夏侯', '尉迟', '公孙'];
const TITLES = '先生|女士|小姐|阿姨|大爷|大妈|大姐|大哥|师傅|老师|同志|奶奶|爷爷|老人';
// Words that end a name inside a run of Han characters ("张三住在…", "李四业主").
const NAME_STOP = /住|在|是|的|家|业主|电话|手机|联系|今年|现|反映|投诉|举报|向|和|与|及|、/;
// A "name" containing one of these is a place, a building or a company, not a person.
const NOT_A_NAME = /小区|花园|家园|公寓|新村|广场|大厦|物业|公司|苑|府|城|楼|区|市|县|镇|路|街|村|号|单元|社|栋|门|期/;
const CLOSINGS = new Set(['谢谢', '谢谢您', '谢谢了', '谢谢你们', '多谢', '感谢', '此致', '敬礼', '此致敬礼', '盼复', '急盼回复']);

function normalise(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/[‐‑‒–—―－]/g, '-')
    .replace(/\r\n?/g, '\n');
}

/** Facts sit at the top of a letter or in its signature; a huge body is read at both ends only. */
const HEAD_CHARS = 20_000;
const TAIL_CHARS = 2_000;

export function extractFacts(mail: FactSource): ComplainantFacts {
  const fresh = stripQuoted(mail.text) || mail.text;
  const clipped =
    fresh.length > HEAD_CHARS + TAIL_CHARS ? `${fresh.slice(0, HEAD_CHARS)}\n${fresh.slice(-TAIL_CHARS)}` : fresh;
  const body = normalise(clipped);
  const subject = normalise(mail.subject);
  const all = `${subject}\n${body}`;
  const phones = findPhones(all);
  return {
    name: findName(body, subject) ?? nameFromDisplay(mail.from),
    phone: phones.best,
    phones: phones.all,
    email: mail.from.address?.trim().toLowerCase() || findEmail(all),
    compound: findCompound(all),
    address: findAddress(all),
    company: findCompany(all),
  };
}

// ---- phones ----

const MOBILE = /(?<![\d])(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)/g;
const LANDLINE = /(?<![\d])\(?(0\d{2,3})\)?[\s-]?([2-9]\d{6,7})(?!\d)/g;
const LOCAL = /(?:电话|联系方式|联系|手机|座机|tel|phone)([^\d\n]{0,8})(?<!\d)([2-9]\d{6,7})(?!\d)/gi;
// A number right after these words belongs to the company or its staff, not to the resident.
const OTHER_PARTY = /(?:物业|公司|客服|经理|热线|值班|保安|门卫|管家|前台|电工|维修|主任|服务中心|开发商|办公室)[^。\n，,]{0,6}$/;

interface PhoneHit {
  index: number;
  digits: string;
  mobile: boolean;
  otherParty: boolean;
}

function findPhones(text: string): { all: string[]; best: string | null } {
  const hits: PhoneHit[] = [];
  const taken: [number, number][] = [];
  const overlaps = (start: number, end: number) => taken.some(([s, e]) => start < e && end > s);
  const add = (start: number, end: number, digits: string, mobile: boolean) => {
    if (overlaps(start, end)) return;
    taken.push([start, end]);
    const before = text.slice(Math.max(0, start - 16), start);
    hits.push({ index: start, digits, mobile, otherParty: OTHER_PARTY.test(before) });
  };
  const span = (m: RegExpExecArray): [number, number] => [m.index, m.index + m[0].length];
  for (const m of text.matchAll(MOBILE)) add(...span(m), `${m[1]}${m[2]}${m[3]}`, true);
  for (const m of text.matchAll(LANDLINE)) add(...span(m), `${m[1]}${m[2]}`, false);
  for (const m of text.matchAll(LOCAL)) {
    if (/qq|微信|wx|wechat/i.test(m[1]!)) continue; // "联系QQ：88668866" is not a phone
    const end = m.index + m[0].length;
    add(end - m[2]!.length, end, m[2]!, false);
  }
  hits.sort((a, b) => a.index - b.index);
  const all = [...new Set(hits.map((h) => h.digits))];
  const own = hits.filter((h) => !h.otherParty);
  const best = own.find((h) => h.mobile) ?? own[0] ?? null;
  return { all, best: best?.digits ?? null };
}

function findEmail(text: string): string | null {
  // The lookbehind starts a match only at a token's start, which keeps a long run of letters linear.
  const m = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/.exec(text);
  return m ? m[0].toLowerCase() : null;
}

// ---- name ----

function startsWithSurname(s: string): boolean {
  return SURNAMES.has(s[0] ?? '') || DOUBLE_SURNAMES.some((d) => s.startsWith(d));
}

/** Cut a captured Han run at the first word that cannot be part of a name; keep "张先生"-style titles. */
function trimName(run: string): string | null {
  const titled = new RegExp(`^([${HAN}]{1,2}?)(${TITLES})`).exec(run);
  if (titled && titled[1] && (startsWithSurname(titled[1]) || titled[1].length === 1)) return titled[0];
  const stop = NAME_STOP.exec(run.slice(1));
  const name = stop ? run.slice(0, stop.index + 1) : run;
  if (name.length < 2 || name.length > 4 || NOT_A_NAME.test(name) || CLOSINGS.has(name)) return null;
  if (/[谢感请盼望急复决助]/.test(name.slice(1))) return null; // "万分感谢", "谢谢您": closings, not names
  return name;
}

// Lookaheads, so that one marker's window does not swallow the next marker ("…的业主王女士").
const STRONG_MARKER = new RegExp(
  `(?:我叫|我的名字(?:是|叫)|本人姓名|姓\\s*名|联系人|投诉人|举报人|反映人|来信人|署名|落款)\\s*(?:是|为)?\\s*[:：]?\\s*(?=([${HAN}]{2,6}))`,
  'g',
);
const WEAK_MARKER = new RegExp(`(?:我是|本人|业主|住户|居民)\\s*[:：]?\\s*(?=([${HAN}]{2,6}))`, 'g');

function findName(body: string, subject: string): string | null {
  for (const text of [body, subject]) {
    for (const m of text.matchAll(STRONG_MARKER)) {
      const name = trimName(m[1]!);
      if (name) return name;
    }
  }
  for (const text of [body, subject]) {
    for (const m of text.matchAll(WEAK_MARKER)) {
      const run = m[1]!;
      if (!startsWithSurname(run)) continue;
      // "我是金色家园的业主": the window after the marker names a place, not a person.
      if (NOT_A_NAME.test(run.slice(0, 4)) && !new RegExp(`^[${HAN}]{1,2}(?:${TITLES})`).test(run)) continue;
      const name = trimName(run);
      if (name) return name;
    }
  }
  return signatureName(body);
}

/** The last lines of a letter often carry the name alone, or with the number: "张先生 13912345678". */
function signatureName(body: string): string | null {
  const lines = body
    .split('\n')
    .map((l) => l.trim().replace(/^[-~～_]+\s*/, ''))
    .filter((l) => l.length > 0);
  const signatureLine = new RegExp(
    `^(?:(?:业主|住户|投诉人|举报人)\\s*[:：]?\\s*)?([${HAN}]{2,4})(?:\\s*[,，:：]?\\s*(?:联系电话|电话|手机|tel)?\\s*[:：]?\\s*\\+?[\\d\\s-]{7,})?\\s*$`,
    'i',
  );
  for (const line of lines.slice(-4).reverse()) {
    const m = signatureLine.exec(line);
    if (!m) continue;
    const run = m[1]!;
    const titled = new RegExp(`^[${HAN}]{1,2}(?:${TITLES})$`).test(run);
    if (!titled && !startsWithSurname(run)) continue;
    const name = trimName(run);
    if (name && name === run) return name;
  }
  return null;
}

function nameFromDisplay(from: FactSource['from']): string | null {
  const name = from.name?.trim().replace(/^["']|["']$/g, '').trim();
  if (!name) return null;
  const local = from.address?.split('@')[0]?.toLowerCase();
  if (name.includes('@') || name.toLowerCase() === local || /^[\d\s._+-]+$/.test(name)) return null;
  return name;
}

// ---- compound (小区) ----

const COMPOUND_SUFFIXES = ['小区', '花园', '家园', '新村', '公寓', '广场', '大厦', '山庄', '公馆', '苑', '府', '城'];
// Words after which a compound's name starts ("我们住在|阳光花园"): the name is what follows the last one.
const LEAD_WORDS = [
  '居住在', '居住于', '住在', '家住', '住', '位于', '地址', '名叫', '名为', '叫做', '叫', '称为', '我们', '我家', '我', '本人', '业主', '反映', '投诉', '举报', '关于',
  '这个', '那个', '该', '本', '这', '那', '此', '是', '在', '的', '于', '对', '向', '和', '与', '跟', '了', '及', '就',
];
const ADMIN_CUT = /(?:省|市|区|县|镇|乡|街道|大道|路|街|巷|号)/g;
const GENERIC = new Set([
  '我们', '我', '整个', '所在', '各', '老旧', '商品房', '住宅', '全', '一个', '附近', '周边', '其他', '同一', '别的', '物业',
  '居民', '这些', '那些', '几个', '多个', '很多', '新', '老', '旧', '你们', '他们', '涉事', '上述', '社区', '小区', '花园',
  '城市', '县城', '省城', '京城', '进城', '回城', '政府', '人民政', '市政', '老城', '古城', '满城', '全城',
  // kinds of compound, not names
  '直供电', '无物业', '弃管', '开放式', '封闭式', '回迁', '安置', '保障房', '公租房', '廉租房', '高层', '多层', '新建',
  '老', '新建', '周围', '隔壁', '对面', '本市', '城区',
]);

/**
 * The part of `name` after the rightmost lead word ("住在|阳光" → 阳光), skipping a cut that would leave one
 * character ("和|平" keeps 和平). A lead word at the very end means nothing was named: '' unless `keepWhenEmpty`.
 */
function cutAfterLast(name: string, words: readonly string[] | RegExp, keepWhenEmpty = false): string {
  const positions: number[] = [];
  if (words instanceof RegExp) {
    for (const m of name.matchAll(words)) positions.push(m.index + m[0].length);
  } else {
    for (const w of words) for (let i = name.indexOf(w); i >= 0; i = name.indexOf(w, i + 1)) positions.push(i + w.length);
  }
  positions.sort((a, b) => b - a);
  for (const p of positions) {
    const rest = name.length - p;
    if (rest === 0 && !keepWhenEmpty) return '';
    if (rest >= 2) return name.slice(p);
  }
  return name;
}

interface CompoundHit {
  start: number;
  end: number;
  name: string;
}

function compoundAt(run: string, index: number, suffix: string): CompoundHit | null {
  const after = run.slice(index + suffix.length);
  // 花园路, 运城市, 城区: a street or a place, not a compound.
  if (/^(?:路|街|道|巷|大道|市|县|区|镇|乡)/.test(after)) return null;
  // 40 characters of context are plenty for a name of at most 12, and keep long runs linear.
  let name = run.slice(Math.max(0, index - 40), index).replace(/^.*\d/, '');
  name = cutAfterLast(name, LEAD_WORDS);
  name = cutAfterLast(name, ADMIN_CUT, true);
  if (name.length > 12) name = name.slice(-12);
  if (name.length < 2 || GENERIC.has(name) || GENERIC.has(name + suffix)) return null;
  if (!new RegExp(`^[${HAN}A-Za-z]+$`).test(name)) return null;
  if (suffix === '府' && /政$/.test(name)) return null;
  if (suffix === '城' && /[县省京进回古满全在到]$/.test(name)) return null;
  // "阳光花园小区" names 阳光花园; a bare "XX小区" keeps its suffix.
  const compound = suffix === '小区' && COMPOUND_SUFFIXES.some((s) => s !== '小区' && name.endsWith(s)) ? name : name + suffix;
  return { start: index - name.length, end: index + suffix.length, name: compound };
}

function findCompound(text: string): string | null {
  const runs = text.split(new RegExp(`[^${HAN}A-Za-z0-9]+`));
  for (const run of runs) {
    const hits: CompoundHit[] = [];
    for (const suffix of COMPOUND_SUFFIXES) {
      for (let i = run.indexOf(suffix); i >= 0; i = run.indexOf(suffix, i + 1)) {
        const hit = compoundAt(run, i, suffix);
        if (hit) hits.push(hit);
      }
    }
    if (hits.length === 0) continue;
    // The first mention wins; among readings of the same words the one reaching furthest does
    // ("我家在学府苑": 学府苑, not 在学府; "盛世华府小区": 盛世华府).
    hits.sort((a, b) => a.start - b.start);
    let best = hits[0]!;
    for (const hit of hits.slice(1)) {
      if (hit.start < best.end && hit.end > best.end) best = hit;
    }
    return best.name;
  }
  return null;
}

// ---- address (building / unit / room) ----

const CN_NUM = '一二三四五六七八九十';
const BUILDING = `(?<![A-Za-z0-9])(?:[A-Za-z]|\\d{1,3}|[${CN_NUM}]{1,3})\\s*(?:号住宅楼|号楼|栋|幢|座|#楼|#|号院)`;
const UNIT = `(?:\\d{1,2}|[${CN_NUM}]{1,3})\\s*单元`;
const ROOM = `(?:\\d{1,2}\\s*(?:层|楼)\\s*)?\\d{2,4}(?!\\d)\\s*(?:室|号|户)?`;
const PHASE = `(?:[${CN_NUM}\\d]{1,2}期\\s*)?`;
const ADDRESS_FULL = new RegExp(`${PHASE}${BUILDING}\\s*-?\\s*(?:${UNIT})?\\s*-?\\s*(?:${ROOM})?`);
const ADDRESS_UNIT_ROOM = new RegExp(`(?<![\\d${CN_NUM}])${UNIT}\\s*-?\\s*${ROOM}`);
const ADDRESS_DASHED = /(?<![\d-])(\d{1,3})-(\d{1,2})-(\d{3,4})(?![\d-])(室|号)?/g;

function findAddress(text: string): string | null {
  const full = ADDRESS_FULL.exec(text);
  if (full) return full[0].replace(/\s+/g, '').replace(/-$/, '');
  const unitRoom = ADDRESS_UNIT_ROOM.exec(text);
  if (unitRoom) return unitRoom[0].replace(/\s+/g, '');
  for (const m of text.matchAll(ADDRESS_DASHED)) {
    const before = text.slice(Math.max(0, m.index - 8), m.index);
    if (m[4] || /小区|花园|家园|苑|公寓|府|城|新村|住|家|楼/.test(before)) return m[0];
  }
  return null;
}

// ---- company ----

const COMPANY_LEAD = [
  '投诉', '举报', '反映', '关于', '我们', '我', '该', '本', '现在', '现任', '目前', '原来', '原', '小区', '要求', '希望', '请',
  '是', '的', '由', '被', '对', '向', '找', '给', '和', '与', '跟', '让', '为', '在',
];
const GENERIC_COMPANY = new Set([
  '小区', '我们', '该', '本', '现', '原', '新', '前期', '这个', '那个', '这家', '那家', '所有', '各', '一些', '很多', '部分',
  '现任', '前任', '涉事', '我们的', '目前', '现在', '社区', '街道', '当地', '有些', '有的', '个别',
]);
const LEGAL_COMPANY = new RegExp(
  `([${HAN}A-Za-z0-9()]{2,40}?)(物业(?:服务|管理|经营|发展|科技|集团)*(?:股份)?有限(?:责任)?公司|物业(?:服务|管理)*(?:公司|集团))`,
  'g',
);
const SHORT_COMPANY = new RegExp(`([${HAN}A-Za-z0-9]{2,24}?)物业(?![费管服公有人经工客管员办中站处])`, 'g');

function cleanCompanyName(prefix: string): string | null {
  let name = cutAfterLast(prefix.replace(/^.*\d/, ''), COMPANY_LEAD);
  // "小区物业公司(鑫源物业…)": an opening bracket without its closing one starts the name.
  if (name.lastIndexOf('(') > name.lastIndexOf(')')) name = name.slice(name.lastIndexOf('(') + 1);
  name = name.replace(/^\)+/, '');
  if (name.length < 2 || GENERIC_COMPANY.has(name) || /小区$|花园$|家园$/.test(name)) return null;
  return name;
}

function findCompany(text: string): string | null {
  const runs = text.split(new RegExp(`[^${HAN}A-Za-z0-9()]+`));
  for (const run of runs) {
    for (const m of run.matchAll(LEGAL_COMPANY)) {
      const prefix = cleanCompanyName(m[1]!);
      if (prefix) return prefix + m[2]!;
    }
  }
  for (const run of runs) {
    for (const m of run.matchAll(SHORT_COMPANY)) {
      // A colloquial "XX物业" is a brand of 2-4 characters (金盾, 碧桂园); longer is a phrase ("申请安装充电桩物业").
      const prefix = cleanCompanyName(m[1]!);
      const brand = prefix && cutAfterLast(prefix, ADMIN_CUT, true);
      if (brand && brand.length <= 4) return `${brand}物业`;
    }
  }
  return null;
}
