import { describe, expect, it } from 'vitest';
import type { Case } from '../../src/domain.ts';
import { briefDataFromComplaints, buildBrief, chartDataFromBrief, type BriefContext } from '../../src/report/brief.ts';
import { overdueCasesOf, pickTypicalCases, typicalCaseOf } from '../../src/report/cases.ts';
import { buildDisciplineWeekly } from '../../src/report/discipline.ts';
import { buildMonthlyPublic } from '../../src/report/monthly.ts';
import { buildProvinceWeekly, provinceWeeklyLayout, provinceWeeklyRows } from '../../src/report/province.ts';
import { layoutToHtml } from '../../src/report/render.ts';
import { periodLabel, tallyComplaints } from '../../src/report/tally.ts';

function complaint(over: Partial<Case> & { id: number }): Case {
  return {
    tracking: `YH-2024-${String(over.id).padStart(6, '0')}`,
    county: 'yanhu',
    source: 'email',
    status: 'assigned',
    unit: 'housing',
    problem: 'service-not-delivered',
    urgent: false,
    complex: false,
    supervised: false,
    complainant: { name: '王小明', phone: '13912341234', email: 'wxm@163.com' },
    compound: '阳光花园',
    address: null,
    company: 'A物业',
    subject: '电梯长期故障',
    body: '我是王小明，3号楼电梯坏了20天，电话13912341234。',
    classification: null,
    receivedAt: '2024-06-04T02:00:00.000Z',
    assignedAt: null,
    acceptedAt: null,
    resolvedAt: null,
    writtenOffAt: null,
    finding: null,
    result: null,
    deadlines: {},
    extension: null,
    extended: false, penaltyExtended: false,
    coUnits: [],
    ...over,
  };
}

// The week of Monday 3 June 2024 (Asia/Shanghai), [3 June 00:00, 10 June 00:00).
const PERIOD = { start: new Date('2024-06-02T16:00:00.000Z'), end: new Date('2024-06-09T16:00:00.000Z') };
const COUNTIES = [
  { code: 'yanhu', name: '盐湖区' },
  { code: 'yongji', name: '永济市' },
];
const overdueIds = new Set([3, 6]);
const CTX: BriefContext = {
  city: '运城市',
  reportingUnit: '运城市住房和城乡建设局',
  campaignStart: '2024-05-21',
  period: PERIOD,
  counties: COUNTIES,
  isOverdue: (c) => overdueIds.has(c.id),
  keyCompanies: [{ name: 'A物业', complainants: 12, complaints: 15, substantiated: 4 }],
};

const SEED: Case[] = [
  // this week: 3 received (ids 1, 2, 3), 2 closed (ids 1 and 4; 4 was received earlier)
  complaint({ id: 1, status: 'written_off', finding: 'substantiated', resolvedAt: '2024-06-06T08:00:00.000Z', result: '已修复，回访王小明满意', supervised: true }),
  complaint({ id: 2, unit: 'fire', problem: 'other', county: 'yongji', urgent: true }),
  complaint({ id: 3, unit: null, status: 'triage', problem: null }),
  complaint({ id: 4, receivedAt: '2024-05-28T02:00:00.000Z', status: 'resolved', resolvedAt: '2024-06-03T02:00:00.000Z', unit: 'market-regulation', problem: 'public-income-taken' }),
  // earlier weeks, still open
  complaint({ id: 5, receivedAt: '2024-05-22T02:00:00.000Z', unit: 'market-regulation', problem: 'public-income-taken' }),
  complaint({ id: 6, receivedAt: '2024-05-23T02:00:00.000Z', county: 'yongji', unit: 'housing' }),
  // before the campaign: left out
  complaint({ id: 7, receivedAt: '2024-05-20T02:00:00.000Z' }),
  // after the period: left out
  complaint({ id: 8, receivedAt: '2024-06-10T02:00:00.000Z' }),
];

describe('tallyComplaints', () => {
  const t = tallyComplaints(SEED, CTX);

  it('counts the week and the campaign to date', () => {
    expect(t.total).toEqual({ name: '合计', weekReceived: 3, weekClosed: 2, received: 6, closed: 2, open: 4, overdue: 2 });
    expect(t.urgent).toBe(1);
    expect(t.supervised).toBe(1);
  });

  it('splits by unit (待分转 for unrouted cases), county and problem type', () => {
    const unit = (name: string) => t.byUnit.find((u) => u.name === name);
    expect(unit('住建')).toMatchObject({ received: 2, closed: 1, open: 1, overdue: 1, weekReceived: 1, weekClosed: 1 });
    expect(unit('市场监管')).toMatchObject({ received: 2, closed: 1, weekReceived: 0, weekClosed: 1 });
    expect(unit('消防')).toMatchObject({ received: 1, closed: 0 });
    expect(unit('待分转')).toMatchObject({ received: 1, overdue: 1 });
    expect(t.byUnit.slice(0, 12).map((u) => u.name)).toEqual(['住建', '发改', '市场监管', '消防', '自然资源', '公安', '能源', '卫健', '人防', '行政审批', '乡镇(街道)', '社区']);
    expect(t.byCounty.map((k) => [k.name, k.received, k.overdue])).toEqual([
      ['盐湖区', 4, 1],
      ['永济市', 2, 1],
    ]);
    const problem = (name: string) => t.byProblem.find((x) => x.name === name);
    expect(problem('未按照合同约定提供服务')).toMatchObject({ received: 2, closed: 1 });
    expect(problem('违规侵占小区公共收益')).toMatchObject({ received: 2, closed: 1 });
    expect(problem('未分类')).toMatchObject({ received: 1 });
  });

  it('builds the weekly trend ending with the period', () => {
    expect(t.trend).toHaveLength(8);
    expect(t.trend.at(-1)).toEqual({ label: '6/3', received: 3, closed: 2 });
    expect(t.trend.at(-2)).toEqual({ label: '5/27', received: 1, closed: 0 });
    expect(t.trend.at(-3)).toEqual({ label: '5/20', received: 2, closed: 0 }); // id 7 (20 May) is before the campaign
  });

  it('uses the workflow deadlines when no overdue rule is given', () => {
    const late = complaint({ id: 9, receivedAt: '2024-05-22T02:00:00.000Z', status: 'in_progress', deadlines: { close: '2024-05-29T16:00:00.000Z' } });
    const early = complaint({ id: 10, receivedAt: '2024-06-04T02:00:00.000Z', status: 'in_progress', deadlines: { close: '2024-06-11T16:00:00.000Z' } });
    const closed = complaint({ id: 11, receivedAt: '2024-05-22T02:00:00.000Z', status: 'resolved', resolvedAt: '2024-06-01T02:00:00.000Z', deadlines: { close: '2024-05-29T16:00:00.000Z' } });
    const { isOverdue: _, ...ctx } = CTX;
    expect(tallyComplaints([late, early, closed], ctx).total.overdue).toBe(1);
  });
});

describe('typical cases', () => {
  it('chooses among the cases handled in the period, supervised, urgent and complex first; never an open one', () => {
    const picked = pickTypicalCases(SEED, PERIOD, 3).map((c) => c.id);
    expect(picked).toEqual([1, 4]); // 2 is urgent but still open; 5 and 6 are open
    const nextWeek = { start: PERIOD.end, end: new Date(PERIOD.end.getTime() + 7 * 86_400_000) };
    expect(pickTypicalCases(SEED, nextWeek, 3)).toEqual([]); // a case closes once: not the same case again
  });

  it('masks the complainant in every field', () => {
    const tc = typicalCaseOf(SEED[0]!, '盐湖区');
    expect(tc.complainant).toBe('王** 139****1234');
    expect(tc.summary).toBe('电梯长期故障：我是王**，3号楼电梯坏了20天，电话139****1234。');
    expect(tc.result).toBe('已修复，回访王**满意');
    expect(JSON.stringify(tc)).not.toMatch(/王小明|13912341234|wxm@163/);
  });

  it('masks before cutting the excerpt, so a phone number cut in half does not leak', () => {
    const body = `${'电梯坏了'.repeat(4)}联系电话13912345678`; // the cut at 24 characters falls inside the number
    const tc = typicalCaseOf(complaint({ id: 30, body }), '盐湖区', 24);
    expect(tc.summary).toBe('电梯长期故障：电梯坏了电梯坏了电梯坏了电梯坏了联系电话139*…');
    expect(tc.summary).not.toMatch(/1391/);
  });
});

describe('buildBrief', () => {
  const data = briefDataFromComplaints(SEED, CTX);
  const brief = buildBrief(data);

  it('has a subject naming the week', () => {
    expect(periodLabel(data.period)).toBe('2024年6月3日—6月9日');
    expect(brief.subject).toBe('【工作简报】运城市物业投诉举报受理情况（2024年6月3日—6月9日）');
  });

  it('states the week and campaign figures in the overview', () => {
    const overview =
      '本周（2024年6月3日—6月9日）新受理物业投诉举报3件，办结2件。专项行动开展以来（2024年5月21日起），累计受理6件，办结2件，办结率33.3%；在办4件，其中超期未办结2件；危及房屋使用和人身安全的紧急线索1件，挂牌督办1件。';
    expect(brief.text).toContain(overview);
    expect(brief.html).toContain(overview);
  });

  it('has the unit, problem, county, company tables and the chart', () => {
    expect(brief.html).toContain('<img src="cid:chart"');
    expect(brief.html).toMatch(/<td[^>]*>住建<\/td><td[^>]*>1<\/td><td[^>]*>1<\/td><td[^>]*>2<\/td><td[^>]*>1<\/td><td[^>]*>1<\/td><td[^>]*>1<\/td>/);
    expect(brief.html).toMatch(/<td[^>]*>永济市<\/td><td[^>]*>1<\/td><td[^>]*>0<\/td><td[^>]*>2<\/td>/);
    expect(brief.html).toMatch(/<td[^>]*>A物业<\/td><td[^>]*>12<\/td><td[^>]*>15<\/td><td[^>]*>4<\/td>/);
    expect(brief.html).not.toContain('>发改<'); // units with nothing are left out
    expect(brief.text).toContain('住建 | 1 | 1 | 2 | 1 | 1 | 1');
  });

  it('shows typical cases masked and never the raw contact data', () => {
    expect(brief.html).toContain('YH-2024-000001');
    expect(brief.html).toContain('王** 139****1234');
    for (const body of [brief.html, brief.text]) expect(body).not.toMatch(/王小明|13912341234|wxm@163\.com/);
  });

  it('escapes HTML in data', () => {
    const b = buildBrief({ ...data, keyCompanies: [{ name: '<script>x</script>物业', complainants: 11 }] });
    expect(b.html).toContain('&lt;script&gt;x&lt;/script&gt;物业');
    expect(b.html).not.toContain('<script>');
  });

  it('gives the chart the week trend and the active units', () => {
    const chart = chartDataFromBrief(data);
    expect(chart.title).toBe('运城市物业投诉举报受理情况（2024年6月3日—6月9日）');
    expect(chart.byUnit.map((u) => u.name)).toEqual(['住建', '市场监管', '消防', '待分转']);
    expect(chart.trend.at(-1)).toEqual({ label: '6/3', received: 3, closed: 2 });
  });
});

describe('buildMonthlyPublic (000 附件 五)', () => {
  it('publishes figures, the red and black lists with reasons, and masked cases', () => {
    const out = buildMonthlyPublic({
      city: '运城市',
      reportingUnit: '运城市住房和城乡建设局',
      month: '2024-06',
      received: 40,
      closed: 30,
      overdue: 2,
      byCounty: [{ name: '盐湖区', received: 40, closed: 30 }],
      byProblem: [{ name: '未按照合同约定提供服务', received: 25, closed: 20 }],
      red: [{ name: '好物业', rules: [{ reason: '本月3件投诉均在7日内办结' }] }],
      black: [{ name: 'A物业', rules: [{ reason: '投诉举报人累计12人，列入重点督办' }, { reason: '2件投诉逾期未办结(久拖不决)' }] }],
      typicalCases: [typicalCaseOf(SEED[0]!, '盐湖区')],
    });
    expect(out.subject).toBe('运城市2024年6月物业投诉举报处理情况通报');
    expect(out.text).toContain('2024年6月，全市共受理物业服务投诉举报40件，办结30件，办结率75.0%，超期未办结2件。');
    expect(out.html).toMatch(/<td[^>]*>A物业<\/td><td[^>]*>投诉举报人累计12人，列入重点督办；2件投诉逾期未办结\(久拖不决\)<\/td>/);
    expect(out.html).toContain('好物业');
    expect(out.html.indexOf('好物业')).toBeLessThan(out.html.indexOf('A物业'));
    for (const body of [out.html, out.text]) expect(body).not.toMatch(/王小明|13912341234/);
  });
});

describe('buildDisciplineWeekly (000 附件 一(二), 六(二))', () => {
  it('lists overdue cases by tracking number with the missed deadline', () => {
    const now = PERIOD.end;
    const cases = [
      complaint({ id: 21, status: 'in_progress', deadlines: { close: '2024-06-05T16:00:00.000Z' } }),
      complaint({ id: 22, status: 'triage', unit: null, deadlines: { transfer: '2024-06-01T16:00:00.000Z' } }),
      complaint({ id: 23, status: 'in_progress', deadlines: { close: '2024-06-20T16:00:00.000Z' } }),
      complaint({ id: 24, status: 'written_off', deadlines: { close: '2024-06-01T16:00:00.000Z' } }),
    ];
    const overdue = overdueCasesOf(cases, now, { counties: COUNTIES });
    expect(overdue.map((o) => [o.tracking, o.unit, o.dueAt])).toEqual([
      ['YH-2024-000022', '待分转', '2024-06-01T16:00:00.000Z'],
      ['YH-2024-000021', '住建', '2024-06-05T16:00:00.000Z'],
    ]);
    const out = buildDisciplineWeekly({
      ...tallyComplaints(SEED, CTX),
      city: '运城市',
      reportingUnit: '运城市住房和城乡建设局',
      overdueCases: overdue,
      returned: 1,
      keyCompanies: [],
      difficulties: ['部分老旧小区无物业，投诉无责任主体'],
    });
    expect(out.subject).toBe('【周报】运城市物业领域投诉举报线索办理情况周报（2024年6月3日—6月9日）');
    expect(out.text).toContain('本周（2024年6月3日—6月9日）受理物业领域投诉举报线索3件，办结2件；');
    expect(out.text).toContain('本周承办单位退回1件。');
    expect(out.text).toContain('YH-2024-000022 | 盐湖区 | 待分转 | 未按照合同约定提供服务 | 2024-06-04 10:00 | 2024-06-02 00:00 | 待分转');
    expect(out.html).toContain('<li>部分老旧小区无物业，投诉无责任主体</li>');
    for (const body of [out.html, out.text]) expect(body).not.toMatch(/王小明|13912341234/);
  });
});

describe('buildProvinceWeekly (000 附件 四)', () => {
  const t = tallyComplaints(SEED, CTX);
  const data = { city: '运城市', reportingUnit: '运城市住房和城乡建设局', period: t.period, campaignStart: t.campaignStart, byCounty: t.byCounty, total: t.total, notes: ['督促永济市加快办理超期线索'] };

  it('has one row per county and a total, as a sheet and as the mail table', () => {
    const rows = provinceWeeklyRows(data);
    expect(rows.map((r) => r.cells.map((c) => c.value))).toEqual([
      ['盐湖区', 2, 2, 4, 2, 2, 1, '50.0%'],
      ['永济市', 1, 0, 2, 0, 2, 1, '0.0%'],
      ['合计', 3, 2, 6, 2, 4, 2, '33.3%'],
    ]);
    const layout = provinceWeeklyLayout(data);
    expect(layout.head[2]!.cells.map((c) => c.value)).toEqual(['县（市、区）', '本周受理', '本周办结', '累计受理', '累计办结', '在办', '超期未办结', '办结率']);
    const out = buildProvinceWeekly(data);
    expect(out.subject).toBe('【周报】运城市物业投诉举报线索办理情况（2024年6月3日—6月9日）');
    expect(out.html).toContain(layoutToHtml(layout, rows));
    expect(out.html).toMatch(/<td[^>]*>合计<\/td><td[^>]*>3<\/td><td[^>]*>2<\/td><td[^>]*>6<\/td>/);
    expect(out.text).toContain('1. 督促永济市加快办理超期线索');
  });

  it('renders spans as colspan/rowspan', () => {
    const html = layoutToHtml(
      { ...provinceWeeklyLayout(data), head: [{ cells: [{ value: 'a', style: 'header', rowSpan: 2 }, { value: 'b<c', style: 'header', colSpan: 3 }] }], foot: [] },
      [],
    );
    expect(html).toContain('<th rowspan="2" style=');
    expect(html).toContain('<th colspan="3" style=');
    expect(html).toContain('>b&lt;c</th>');
  });
});

describe('the brief says who to chase', () => {
  it('lists the open cases past a deadline, the longest overdue first, with who was reminded', () => {
    const cases = [
      complaint({ id: 71, status: 'accepted', unit: 'fire', receivedAt: '2024-05-25T02:00:00.000Z', deadlines: { close: '2024-06-01T16:00:00.000Z' } }),
      complaint({ id: 72, status: 'assigned', unit: 'housing', receivedAt: '2024-05-28T02:00:00.000Z', deadlines: { close: '2024-06-06T16:00:00.000Z' } }),
      complaint({ id: 73, status: 'resolved', unit: 'police', receivedAt: '2024-05-25T02:00:00.000Z', deadlines: { close: '2024-06-01T16:00:00.000Z' } }),
      complaint({ id: 74, status: 'accepted', unit: 'police', receivedAt: '2024-06-04T02:00:00.000Z', deadlines: { close: '2024-06-12T16:00:00.000Z' } }),
    ];
    const data = briefDataFromComplaints(cases, { ...CTX, remindedOf: (c) => (c.id === 71 ? ['李消防', '张局长'] : []) });
    expect(data.overdue!.map((o) => [o.tracking, o.unit, o.deadline, o.daysOver, o.reminded])).toEqual([
      ['YH-2024-000071', '消防', '办结期限', 8, ['李消防', '张局长']],
      ['YH-2024-000072', '住建', '办结期限', 3, []],
    ]);
    const html = buildBrief(data).html;
    expect(html).toContain('超期未办结2件，请督促以下承办单位：');
    expect(html).toContain('李消防、张局长');
    expect(html).toContain('2024-06-01 24:00');
  });
});
