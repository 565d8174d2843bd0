/**
 * A hand-written SVG bar chart (no chart library): horizontal bars on a log scale, growing
 * right of the 1× line when a contender is faster than the panel's baseline, left when slower.
 */

export interface ChartBar {
  readonly label: string;
  /** Speed relative to the baseline (> 1: faster). Non-finite ratios are drawn as "n/a". */
  readonly ratio: number;
  readonly color: string;
}

export interface ChartGroup {
  readonly label: string;
  readonly bars: readonly ChartBar[];
}

export interface ChartPanel {
  readonly title: string;
  readonly groups: readonly ChartGroup[];
}

export interface ChartOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly width?: number;
}

const PALETTE = ['#2563eb', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#0ea5e9', '#84cc16', '#ec4899'];

/** A stable color per contender label, in order of first appearance. */
export function colorFor(label: string, known: Map<string, string>): string {
  let color = known.get(label);
  if (color === undefined) {
    color = label.startsWith('MemoryStorage') || label.startsWith('RedisStorage') ? '#2563eb' : pick(known);
    known.set(label, color);
  }
  return color;
}

function pick(known: Map<string, string>): string {
  const used = new Set(known.values());
  return PALETTE.slice(1).find((c) => !used.has(c)) ?? PALETTE[known.size % PALETTE.length] ?? '#64748b';
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  if (ratio >= 10) return `${ratio.toFixed(0)}×`;
  if (ratio >= 0.095) return `${ratio.toFixed(2)}×`;
  return `${ratio.toFixed(3)}×`;
}

export function barChartSvg(panels: readonly ChartPanel[], options: ChartOptions): string {
  const width = options.width ?? 960;
  const labelWidth = 300;
  const valueWidth = 64;
  const plotLeft = labelWidth + 10;
  const plotWidth = width - plotLeft - valueWidth;
  const rowHeight = 15;
  const barHeight = 11;
  const ratios = panels.flatMap((p) => p.groups.flatMap((g) => g.bars.map((b) => b.ratio))).filter(Number.isFinite);
  const lowExp = Math.max(-3, Math.floor(Math.log10(Math.min(1, ...ratios)) * 2) / 2);
  const highExp = Math.min(2, Math.ceil(Math.log10(Math.max(1, ...ratios)) * 2) / 2);
  const span = Math.max(highExp - lowExp, 0.5);
  const x = (ratio: number) =>
    plotLeft + ((Math.log10(Math.min(Math.max(ratio, 10 ** lowExp), 10 ** highExp)) - lowExp) / span) * plotWidth;
  const ticks = [0.001, 0.01, 0.1, 0.25, 0.5, 1, 2, 4, 10, 100].filter(
    (t) => Math.log10(t) >= lowExp - 1e-9 && Math.log10(t) <= highExp + 1e-9,
  );

  const body: string[] = [];
  let y = 56;
  for (const panel of panels) {
    const top = y;
    body.push(`<text x="8" y="${y + 16}" class="panel">${escapeXml(panel.title)}</text>`);
    y += 40;
    const plotTop = y;
    for (const group of panel.groups) {
      body.push(`<text x="8" y="${y + 11}" class="group">${escapeXml(group.label)}</text>`);
      y += rowHeight;
      for (const bar of group.bars) {
        const one = x(1);
        const end = Number.isFinite(bar.ratio) ? x(bar.ratio) : one;
        const left = Math.min(one, end);
        const w = Math.max(Math.abs(end - one), 1);
        body.push(
          `<text x="${labelWidth}" y="${y + 10}" class="bar-label">${escapeXml(bar.label)}</text>`,
          `<rect x="${left.toFixed(1)}" y="${y + 2}" width="${w.toFixed(1)}" height="${barHeight}" fill="${bar.color}"><title>${escapeXml(`${group.label} — ${bar.label}: ${formatRatio(bar.ratio)}`)}</title></rect>`,
          `<text x="${(Math.max(one, end) + 4).toFixed(1)}" y="${y + 11}" class="value">${formatRatio(bar.ratio)}</text>`,
        );
        y += rowHeight;
      }
      y += 4;
    }
    const bottom = y;
    for (const tick of ticks) {
      const tx = x(tick).toFixed(1);
      body.push(
        `<line x1="${tx}" y1="${plotTop - 4}" x2="${tx}" y2="${bottom}" class="${tick === 1 ? 'one' : 'grid'}"/>`,
        `<text x="${tx}" y="${plotTop - 8}" class="tick">${tick}×</text>`,
      );
    }
    body.push(`<rect x="2" y="${top}" width="${width - 4}" height="${bottom - top + 6}" class="frame"/>`);
    y = bottom + 20;
  }
  const height = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">`,
    '<style>',
    '.title{font-size:17px;font-weight:600;fill:#0f172a}.subtitle{font-size:12px;fill:#475569}',
    '.panel{font-size:14px;font-weight:600;fill:#0f172a}.group{font-size:12px;font-weight:600;fill:#334155}',
    '.bar-label{font-size:11px;fill:#334155;text-anchor:end}.value{font-size:11px;fill:#0f172a}',
    '.tick{font-size:10px;fill:#64748b;text-anchor:middle}.grid{stroke:#e2e8f0;stroke-width:1}',
    '.one{stroke:#0f172a;stroke-width:1.5}.frame{fill:none;stroke:#cbd5e1;rx:6}',
    '</style>',
    '<rect width="100%" height="100%" fill="#ffffff"/>',
    `<text x="8" y="24" class="title">${escapeXml(options.title)}</text>`,
    options.subtitle ? `<text x="8" y="42" class="subtitle">${escapeXml(options.subtitle)}</text>` : '',
    ...body,
    '</svg>',
    '',
  ]
    .filter((line) => line !== '')
    .join('\n');
}
