// Inline SVG charts for the HTML report: plain strings, no script, no external assets, sized by
// their viewBox so they scale with the page.

/** Escapes text for HTML and SVG. */
export function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const f1 = (n: number) => (Math.round(n * 10) / 10).toString();

/** A palette readable on white and for the common colour-vision deficiencies (Okabe–Ito). */
export const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#332288',
  '#999933',
];

export interface RangeRow {
  label: string;
  group: string;
  p50: number;
  p95?: number;
  p99: number;
  max?: number;
  /** Raw samples, drawn as faint dots. */
  samples?: number[];
}

/** Longest label drawn in full; longer ones end in an ellipsis (the full text is in the bar's title). */
const LABEL_CHARS = 48;
/** Width of one character of a 12.5 px label, generous for wide glyphs (system-ui averages ~6.5). */
const LABEL_CHAR_PX = 7.2;

function shownLabel(label: string): string {
  return label.length > LABEL_CHARS ? `${label.slice(0, LABEL_CHARS - 1)}…` : label;
}

/** The label column's width: wide enough for the longest label drawn, never narrower than `min`. */
function labelColumn(labels: string[], min: number): number {
  const longest = Math.max(0, ...labels.map((l) => shownLabel(l).length));
  return Math.max(min, Math.ceil(longest * LABEL_CHAR_PX) + 8);
}

function fmtMs(v: number): string {
  if (v >= 1000) return `${f1(v / 1000)} s`;
  if (v >= 1) return `${Number(v.toPrecision(3))} ms`;
  return `${Number(v.toPrecision(2))} ms`;
}

/**
 * Latency distributions on a log axis: a bar from p50 to p99 per row, a tick at p95, a whisker
 * to the max, and the raw samples as dots.
 */
export function latencyChart(rows: RangeRow[], groupColors: Record<string, string>): string {
  if (rows.length === 0) return '<p class="empty">No latency measured yet.</p>';
  // The plot keeps its width; the viewBox grows with the label column, so no label is cut off.
  const labelW = labelColumn(
    rows.map((r) => r.label),
    250,
  );
  const W = labelW + 510;
  const rowH = 26;
  const top = 28;
  const H = top + rows.length * rowH + 12;
  const values = rows
    .flatMap((r) => [r.p50, r.p99, r.max ?? r.p99, ...(r.samples ?? [])])
    .filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.max(1e-3, Math.min(...values))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(lo * 10, ...values)));
  const x0 = labelW + 10;
  const x1 = W - 70;
  const x = (v: number) =>
    x0 + ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (x1 - x0);
  const parts: string[] = [];
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    parts.push(
      `<line x1="${f1(x(d))}" y1="${top - 6}" x2="${f1(x(d))}" y2="${H - 8}" class="grid"/>`,
      `<text x="${f1(x(d))}" y="${top - 12}" class="axis" text-anchor="middle">${esc(fmtMs(d))}</text>`,
    );
    for (let m = 2; m < 10 && d * m < hi; m++)
      parts.push(
        `<line x1="${f1(x(d * m))}" y1="${top - 4}" x2="${f1(x(d * m))}" y2="${H - 8}" class="grid minor"/>`,
      );
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH + rowH / 2;
    const color = groupColors[r.group] ?? '#555';
    if (i % 2 === 0)
      parts.push(`<rect x="0" y="${f1(y - rowH / 2)}" width="${W}" height="${rowH}" class="band"/>`);
    parts.push(
      `<text x="${labelW}" y="${f1(y + 4)}" class="label" text-anchor="end">${esc(shownLabel(r.label))}</text>`,
    );
    for (const [j, s] of (r.samples ?? []).entries()) {
      const jitter = ((j * 7919) % 9) - 4;
      parts.push(`<circle cx="${f1(x(s))}" cy="${f1(y + jitter)}" r="1.8" fill="${color}" opacity="0.35"/>`);
    }
    if (r.max !== undefined && r.max > r.p99)
      parts.push(
        `<line x1="${f1(x(r.p99))}" y1="${f1(y)}" x2="${f1(x(r.max))}" y2="${f1(y)}" stroke="${color}" stroke-width="1.5" opacity="0.6"/>`,
        `<line x1="${f1(x(r.max))}" y1="${f1(y - 4)}" x2="${f1(x(r.max))}" y2="${f1(y + 4)}" stroke="${color}" stroke-width="1.5" opacity="0.6"/>`,
      );
    const w = Math.max(3, x(r.p99) - x(r.p50));
    parts.push(
      `<rect x="${f1(x(r.p50))}" y="${f1(y - 6)}" width="${f1(w)}" height="12" rx="6" fill="${color}" opacity="0.85"><title>${esc(`${r.label}: p50 ${fmtMs(r.p50)}, p99 ${fmtMs(r.p99)}`)}</title></rect>`,
    );
    if (r.p95 !== undefined)
      parts.push(
        `<line x1="${f1(x(r.p95))}" y1="${f1(y - 6)}" x2="${f1(x(r.p95))}" y2="${f1(y + 6)}" stroke="#fff" stroke-width="1.5"/>`,
      );
    parts.push(
      `<circle cx="${f1(x(r.p50))}" cy="${f1(y)}" r="5" fill="#fff" stroke="${color}" stroke-width="2.5"/>`,
    );
    parts.push(
      `<text x="${f1(Math.min(W - 4, Math.max(x(r.p99), x(r.max ?? 0)) + 8))}" y="${f1(y + 4)}" class="value">${esc(fmtMs(r.p99))}</text>`,
    );
  });
  return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Latency distributions" class="chart">${parts.join('')}</svg>`;
}

export interface BarRow {
  label: string;
  /** 0..1, or null when there is nothing to show. */
  value: number | null;
  note: string;
}

/** Horizontal bars of ratios with a dashed target line; bars under the target turn amber or red. */
export function ratioBars(rows: BarRow[], target: number, targetLabel: string): string {
  if (rows.length === 0) return '<p class="empty">Nothing to show.</p>';
  const labelW = labelColumn(
    rows.map((r) => r.label),
    190,
  );
  const W = labelW + 570;
  const rowH = 34;
  const top = 30;
  const H = top + rows.length * rowH + 24;
  const x0 = labelW + 12;
  const x1 = W - 250;
  const x = (v: number) => x0 + v * (x1 - x0);
  const parts: string[] = [];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(
      `<line x1="${f1(x(t))}" y1="${top - 6}" x2="${f1(x(t))}" y2="${H - 6}" class="grid"/>`,
      `<text x="${f1(x(t))}" y="${top - 12}" class="axis" text-anchor="middle">${t * 100} %</text>`,
    );
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH + rowH / 2;
    parts.push(
      `<text x="${labelW}" y="${f1(y + 4)}" class="label" text-anchor="end">${esc(shownLabel(r.label))}</text>`,
    );
    parts.push(`<rect x="${x0}" y="${f1(y - 9)}" width="${f1(x1 - x0)}" height="18" rx="4" class="track"/>`);
    if (r.value === null) {
      parts.push(`<text x="${x0 + 10}" y="${f1(y + 4)}" class="muted">no reads yet</text>`);
    } else {
      const color = r.value >= target ? '#1a9e61' : r.value >= target - (1 - target) ? '#e0a100' : '#d1453b';
      parts.push(
        `<rect x="${x0}" y="${f1(y - 9)}" width="${f1(Math.max(2, x(r.value) - x0))}" height="18" rx="4" fill="${color}"><title>${esc(`${r.label}: ${(r.value * 100).toFixed(1)} %`)}</title></rect>`,
      );
      parts.push(
        `<text x="${f1(x1 + 10)}" y="${f1(y + 4)}" class="value strong">${(r.value * 100).toFixed(1)} %</text>`,
      );
    }
    parts.push(`<text x="${f1(x1 + 74)}" y="${f1(y + 4)}" class="muted">${esc(r.note)}</text>`);
  });
  parts.push(
    `<line x1="${f1(x(target))}" y1="${top - 4}" x2="${f1(x(target))}" y2="${H - 4}" class="target"/>`,
  );
  parts.push(
    `<text x="${f1(x(target) + 4)}" y="${H - 8}" class="axis target-label">${esc(targetLabel)}</text>`,
  );
  return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Cache hit rates" class="chart">${parts.join('')}</svg>`;
}

export interface Series {
  name: string;
  color: string;
  points: Array<{ t: number; v: number }>;
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  const m = v / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
}

/** A time-series line chart (one line per series) with a y axis from zero and hourly x ticks. */
export function lineChart(
  series: Series[],
  options: { yLabel: string; format: (v: number) => string; from: number; to: number; width?: number },
): string {
  const withPoints = series.filter((s) => s.points.length);
  if (withPoints.length === 0) return '<p class="empty">No interactions in this window.</p>';
  const W = options.width ?? 760;
  const H = Math.round(W * 0.5);
  const left = 62;
  const right = 16;
  const top = 16;
  const bottom = 34;
  const yMax = niceMax(Math.max(...withPoints.flatMap((s) => s.points.map((p) => p.v))) * 1.08);
  const span = Math.max(1, options.to - options.from);
  const x = (t: number) => left + ((t - options.from) / span) * (W - left - right);
  const y = (v: number) => top + (1 - v / yMax) * (H - top - bottom);
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    parts.push(
      `<line x1="${left}" y1="${f1(y(v))}" x2="${W - right}" y2="${f1(y(v))}" class="grid"/>`,
      `<text x="${left - 8}" y="${f1(y(v) + 4)}" class="axis" text-anchor="end">${esc(options.format(v))}</text>`,
    );
  }
  const hours = span / 3_600_000;
  const step = hours <= 12 ? 2 : hours <= 24 ? 6 : hours <= 72 ? 12 : 24;
  const first = Math.ceil(options.from / (step * 3_600_000)) * step * 3_600_000;
  for (let t = first; t <= options.to; t += step * 3_600_000) {
    const d = new Date(t);
    const label =
      step >= 24
        ? `${d.getUTCMonth() + 1}/${d.getUTCDate()}`
        : `${String(d.getUTCHours()).padStart(2, '0')}:00`;
    parts.push(
      `<line x1="${f1(x(t))}" y1="${H - bottom}" x2="${f1(x(t))}" y2="${H - bottom + 4}" class="axis-line"/>`,
      `<text x="${f1(x(t))}" y="${H - bottom + 18}" class="axis" text-anchor="middle">${label}</text>`,
    );
  }
  parts.push(
    `<line x1="${left}" y1="${H - bottom}" x2="${W - right}" y2="${H - bottom}" class="axis-line"/>`,
  );
  parts.push(
    `<text x="12" y="${f1(top + (H - top - bottom) / 2)}" class="axis" transform="rotate(-90 12 ${f1(top + (H - top - bottom) / 2)})" text-anchor="middle">${esc(options.yLabel)}</text>`,
  );
  for (const s of withPoints) {
    const pts = [...s.points].sort((a, b) => a.t - b.t);
    const d = pts.map((p, i) => `${i ? 'L' : 'M'}${f1(x(p.t))},${f1(y(p.v))}`).join(' ');
    const area = `${d} L${f1(x(pts.at(-1)!.t))},${f1(y(0))} L${f1(x(pts[0]!.t))},${f1(y(0))} Z`;
    parts.push(`<path d="${area}" fill="${s.color}" opacity="0.07"/>`);
    parts.push(
      `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.2" stroke-linejoin="round" stroke-linecap="round"/>`,
    );
    for (const p of pts)
      parts.push(
        `<circle cx="${f1(x(p.t))}" cy="${f1(y(p.v))}" r="2.6" fill="${s.color}"><title>${esc(`${s.name} ${new Date(p.t).toISOString().slice(11, 16)} UTC: ${options.format(p.v)}`)}</title></circle>`,
      );
  }
  return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(options.yLabel)}" class="chart">${parts.join('')}</svg>`;
}

/** A legend of coloured swatches. */
export function legend(items: Array<{ name: string; color: string }>): string {
  return `<div class="legend">${items.map((i) => `<span><i style="background:${i.color}"></i>${esc(i.name)}</span>`).join('')}</div>`;
}
