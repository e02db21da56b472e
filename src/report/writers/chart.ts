// The brief's chart: weekly trend (received / closed, lines) above this campaign's figures by unit (bars).
// ECharts renders SVG on the server, resvg turns it into PNG. resvg draws text only with fonts it is given, and
// most servers have no CJK font: the font files come from the caller (config), else from the first CJK font found
// in the usual places; without one the chart still renders and the Chinese labels come out as boxes.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as echartsTypes from 'echarts';
import type { Resvg as ResvgType } from '@resvg/resvg-js';
import type { ChartData } from '../types.ts';

// echarts (~45 MB) and resvg are loaded on the first chart, not at start: an idle service never draws one.
let libs: { echarts: typeof echartsTypes; Resvg: typeof ResvgType } | null = null;
function lazy(): { echarts: typeof echartsTypes; Resvg: typeof ResvgType } {
  if (!libs) {
    const require = createRequire(import.meta.url);
    libs = { echarts: require('echarts') as typeof echartsTypes, Resvg: (require('@resvg/resvg-js') as { Resvg: typeof ResvgType }).Resvg };
  }
  return libs;
}

export interface ChartOptions {
  width?: number;
  height?: number;
  /** .ttf/.otf/.ttc files with CJK glyphs; when omitted, findCjkFontFiles() is asked. */
  fontFiles?: string[];
}

const SERIES_COLOURS = ['#3b6fb6', '#3a9d5d', '#d9534f'];
/** Drawn at 600 px: a phone shows it at its natural size, and a PC mail client does not blow it up. */
export const CHART_WIDTH = 600;
const CHART_HEIGHT = 760;

/** A bar or point label: its value, nothing for a zero (a row of 0s on a quiet week says nothing and clutters). */
const nonZero = (p: { value?: unknown }) => (typeof p.value === 'number' && p.value !== 0 ? String(p.value) : '');

/**
 * The ECharts option, pure: what the chart shows, independent of how it is drawn. Laid out to read at 600 px (a
 * phone, or the mail at its natural width): legend at the bottom, away from the top labels; headroom above the
 * tallest bar so its label is not clipped; unit names slanted when there are many; a word instead of an empty frame.
 */
export function chartOption(data: ChartData): echartsTypes.EChartsCoreOption {
  const axisLabel = { fontSize: 11 };
  const label = { show: true, fontSize: 11, formatter: nonZero };
  const empty = data.byUnit.every((u) => !u.received && !u.closed && !u.overdue) && data.trend.every((w) => !w.received && !w.closed);
  return {
    animation: false,
    backgroundColor: '#ffffff',
    color: SERIES_COLOURS,
    textStyle: { fontFamily: 'sans-serif' },
    title: [
      { text: data.title, left: 'center', top: 8, textStyle: { fontSize: 15 } },
      { text: '近期每周受理与办结（件）', left: 16, top: 40, textStyle: { fontSize: 13 } },
      { text: '各承办单位累计受理、办结与超期（件）', left: 16, top: 330, textStyle: { fontSize: 13 } },
    ],
    legend: { data: ['受理', '办结', '超期'], left: 'center', bottom: 8, textStyle: { fontSize: 12 } },
    grid: [
      { left: 44, right: 20, top: 76, height: 210 },
      { left: 44, right: 20, top: 366, bottom: data.byUnit.length > 4 ? 110 : 70 },
    ],
    xAxis: [
      { gridIndex: 0, type: 'category', data: data.trend.map((w) => w.label), axisLabel },
      { gridIndex: 1, type: 'category', data: data.byUnit.map((u) => u.name), axisLabel: { ...axisLabel, interval: 0, rotate: data.byUnit.length > 4 ? 40 : 0 } },
    ],
    yAxis: [
      { gridIndex: 0, type: 'value', minInterval: 1, boundaryGap: [0, '20%'], axisLabel },
      { gridIndex: 1, type: 'value', minInterval: 1, boundaryGap: [0, '20%'], axisLabel },
    ],
    series: [
      { name: '受理', type: 'line', xAxisIndex: 0, yAxisIndex: 0, data: data.trend.map((w) => w.received), label: { ...label, position: 'top' } },
      { name: '办结', type: 'line', xAxisIndex: 0, yAxisIndex: 0, data: data.trend.map((w) => w.closed), label: { ...label, position: 'bottom' } },
      { name: '受理', type: 'bar', xAxisIndex: 1, yAxisIndex: 1, data: data.byUnit.map((u) => u.received), label: { ...label, position: 'top' } },
      { name: '办结', type: 'bar', xAxisIndex: 1, yAxisIndex: 1, data: data.byUnit.map((u) => u.closed), label: { ...label, position: 'top' } },
      { name: '超期', type: 'bar', xAxisIndex: 1, yAxisIndex: 1, data: data.byUnit.map((u) => u.overdue), label: { ...label, position: 'top' } },
    ],
    ...(empty ? { graphic: [{ type: 'text', left: 'center', top: 480, style: { text: '本期暂无受理数据', fontSize: 16, fill: '#888888' } }] } : {}),
  };
}

export function renderChartSvg(data: ChartData, opts: Pick<ChartOptions, 'width' | 'height'> = {}): string {
  const chart = lazy().echarts.init(null, null, { renderer: 'svg', ssr: true, width: opts.width ?? CHART_WIDTH, height: opts.height ?? CHART_HEIGHT });
  try {
    chart.setOption(chartOption(data));
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export async function renderChartPng(data: ChartData, opts: ChartOptions = {}): Promise<Buffer> {
  const svg = renderChartSvg(data, opts);
  const fontFiles = opts.fontFiles ?? findCjkFontFiles();
  // System fonts too, so digits and Latin text render even when no CJK font is found.
  const resvg = new (lazy().Resvg)(svg, { background: '#ffffff', font: { loadSystemFonts: true, fontFiles } });
  return resvg.render().asPng();
}

// This file is src/report/writers/chart.ts (dist/report/writers/chart.js when built): three levels below the root.
const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FONT_EXT = /\.(ttf|otf|ttc)$/i;

/** Where a CJK font may be, in order: the project's assets/fonts, an npm font package, Debian's font packages. */
export function cjkFontCandidates(): string[] {
  const out: string[] = [];
  const assets = path.join(PROJECT_ROOT, 'assets', 'fonts');
  if (existsSync(assets)) {
    for (const f of readdirSync(assets).sort()) if (FONT_EXT.test(f)) out.push(path.join(assets, f));
  }
  try {
    // @embedpdf/fonts-sc ships Noto Sans Hans (GB2312 subset, OFL-1.1) as plain .otf files, which resvg reads.
    const pkg = createRequire(import.meta.url).resolve('@embedpdf/fonts-sc/package.json');
    out.push(path.join(path.dirname(pkg), 'fonts', 'NotoSansHans-Regular.otf'));
  } catch {
    // not installed
  }
  out.push(
    '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', // fonts-wqy-microhei
    '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', // fonts-wqy-zenhei
    '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', // fonts-noto-cjk
    '/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf', // fonts-droid-fallback
  );
  return out;
}

/** The first existing CJK font file, or [] (the chart then renders without Chinese glyphs). */
export function findCjkFontFiles(candidates: string[] = cjkFontCandidates()): string[] {
  const found = candidates.find((f) => existsSync(f));
  return found ? [found] : [];
}
