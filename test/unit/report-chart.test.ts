import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chartOption, findCjkFontFiles, renderChartPng, renderChartSvg } from '../../src/report/writers/chart.ts';
import type { ChartData } from '../../src/report/types.ts';

const DATA: ChartData = {
  title: '运城市物业投诉举报受理情况（2024年6月3日—6月9日）',
  trend: [
    { label: '5/20', received: 2, closed: 0 },
    { label: '5/27', received: 1, closed: 0 },
    { label: '6/3', received: 3, closed: 2 },
  ],
  byUnit: [
    { name: '住建', received: 2, closed: 1, overdue: 1 },
    { name: '市场监管', received: 2, closed: 1, overdue: 0 },
  ],
};

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('chartOption', () => {
  it('draws the trend as lines and the units as bars', () => {
    const option = chartOption(DATA) as { series: { type: string; name: string; data: number[] }[]; xAxis: { data: string[] }[] };
    expect(option.xAxis.map((a) => a.data)).toEqual([['5/20', '5/27', '6/3'], ['住建', '市场监管']]);
    expect(option.series.map((s) => [s.type, s.name, s.data])).toEqual([
      ['line', '受理', [2, 1, 3]],
      ['line', '办结', [0, 0, 2]],
      ['bar', '受理', [2, 2]],
      ['bar', '办结', [1, 1]],
      ['bar', '超期', [1, 0]],
    ]);
  });
});

describe('chartOption reads at 600 px', () => {
  type Opt = { series: { label: { formatter: (p: { value: unknown }) => string } }[]; legend: { bottom?: number }; graphic?: { style: { text: string } }[]; xAxis: { axisLabel: { rotate: number } }[] };
  it('shows no label for a zero, keeps the legend away from the top labels, slants many unit names', () => {
    const o = chartOption({ ...DATA, byUnit: Array.from({ length: 9 }, (_, i) => ({ name: `单位${i}`, received: i, closed: 0, overdue: 0 })) }) as unknown as Opt;
    const f = o.series[2]!.label.formatter;
    expect([f({ value: 0 }), f({ value: 3 })]).toEqual(['', '3']);
    expect(o.legend.bottom).toBeDefined();
    expect(o.xAxis[1]!.axisLabel.rotate).toBe(40);
    expect(o.graphic).toBeUndefined();
  });

  it('says so instead of drawing an empty frame for an empty period', () => {
    const o = chartOption({ title: 't', trend: [{ label: '6/3', received: 0, closed: 0 }], byUnit: [] }) as unknown as Opt;
    expect(o.graphic?.[0]?.style.text).toBe('本期暂无受理数据');
    expect(renderChartSvg({ title: 't', trend: [{ label: '6/3', received: 0, closed: 0 }], byUnit: [] })).toContain('本期暂无受理数据');
  });
});

describe('renderChart', () => {
  it('renders SVG with the Chinese labels as text', () => {
    const svg = renderChartSvg(DATA);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('各承办单位累计受理、办结与超期（件）');
    expect(svg).toContain('市场监管');
  });

  it('returns a PNG of the requested size even without any CJK font', async () => {
    const png = await renderChartPng(DATA, { fontFiles: [], width: 800, height: 600 });
    expect(png.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    expect(png.length).toBeGreaterThan(1024);
    expect(png.readUInt32BE(16)).toBe(800); // IHDR width
    expect(png.readUInt32BE(20)).toBe(600); // IHDR height
  });

  it('returns a PNG with whatever CJK font this machine has', async () => {
    const png = await renderChartPng(DATA);
    expect(png.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    expect(png.readUInt32BE(16)).toBe(600); // drawn for 600 px: a phone shows it at its natural size
  });
});

describe('findCjkFontFiles', () => {
  it('takes the first candidate that exists', () => {
    const here = fileURLToPath(import.meta.url);
    expect(findCjkFontFiles(['/nonexistent/a.ttf', here, '/nonexistent/b.ttf'])).toEqual([here]);
    expect(findCjkFontFiles(['/nonexistent/a.ttf'])).toEqual([]);
  });
});
