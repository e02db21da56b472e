// The dashboard's trend chart: received per week, and of those how many are closed and how many overdue now, drawn
// by ECharts on the server as SVG (as report/writers/chart.ts draws the brief's chart). SVG, not PNG: the browser
// draws the Chinese labels with its own fonts, where resvg would need a CJK font on the server. The labels are
// dates and numbers only (no user text), and an <img> never runs script in an SVG anyway.
import { createRequire } from 'node:module';
import type * as echartsTypes from 'echarts';

export interface TrendWeek {
  /** The Monday, YYYY-MM-DD. */
  week: string;
  received: number;
  closed: number;
  overdue: number;
}

// echarts is large: loaded on the first chart, as the report writer does.
let echarts: typeof echartsTypes | null = null;
const lib = () => (echarts ??= createRequire(import.meta.url)('echarts') as typeof echartsTypes);

export const TREND_WIDTH = 720;
const TREND_HEIGHT = 300;

/** The option, pure: bars of received, closed and overdue for each week (oldest first). */
export function trendOption(weeks: readonly TrendWeek[]): echartsTypes.EChartsCoreOption {
  const label = { show: true, position: 'top', fontSize: 11, formatter: (p: { value?: unknown }) => (typeof p.value === 'number' && p.value ? String(p.value) : '') };
  return {
    animation: false,
    backgroundColor: '#ffffff',
    color: ['#3b6fb6', '#3a9d5d', '#d9534f'],
    textStyle: { fontFamily: 'sans-serif' },
    legend: { data: ['受理', '其中已办结', '其中超期'], top: 6, textStyle: { fontSize: 12 } },
    grid: { left: 44, right: 16, top: 44, bottom: 34 },
    xAxis: { type: 'category', data: weeks.map((w) => `${Number(w.week.slice(5, 7))}/${Number(w.week.slice(8, 10))}`), axisLabel: { fontSize: 11 } },
    yAxis: { type: 'value', minInterval: 1, boundaryGap: [0, '20%'], axisLabel: { fontSize: 11 } },
    series: [
      { name: '受理', type: 'bar', data: weeks.map((w) => w.received), label },
      { name: '其中已办结', type: 'bar', data: weeks.map((w) => w.closed), label },
      { name: '其中超期', type: 'bar', data: weeks.map((w) => w.overdue), label },
    ],
  };
}

export function renderTrendSvg(weeks: readonly TrendWeek[]): string {
  const chart = lib().init(null, null, { renderer: 'svg', ssr: true, width: TREND_WIDTH, height: TREND_HEIGHT });
  try {
    chart.setOption(trendOption(weeks));
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
