// The report's "every process" part, for the text and HTML renderers: what all the app's
// processes recorded in the real-time metrics (store calls by class, the relay, memory
// operations, flow runs per minute).
import type { SharedReading } from '../collect/shared-metrics.js';
import type { MonitorReport } from '../report/types.js';
import { esc } from './charts.js';
import { bytes, count, ms } from './format.js';

type Ok = { status: 'ok' } & SharedReading;

const callClass = (c: SharedReading['storeCalls'][number]) =>
  `${c.system} ${c.operation}${c.target ? ` ${c.target}` : ''}`;

/** Helpers the text renderer lends (colour, column alignment). */
export interface TextHelpers {
  bold: (t: string) => string;
  dim: (t: string) => string;
  table: (rows: string[][], indent?: string) => string[];
}

/** The text lines of the shared figures (under Performance Analysis). */
export function sharedTextLines(report: MonitorReport, h: TextHelpers): string[] {
  const s = report.snapshot.shared;
  if (s.status !== 'ok') {
    return [
      '',
      h.bold('  Every process (real-time metrics)'),
      h.dim(`  ${s.status === 'unavailable' ? `unavailable: ${s.error}` : s.reason}`),
    ];
  }
  const out = ['', h.bold(`  Every process · last ${s.windowMinutes} min (real-time metrics in Redis)`)];
  if (s.storeCalls.length === 0 && s.relay.rounds === 0 && s.memoryOps.length === 0) {
    out.push(
      h.dim('  nothing recorded in the window: no app process ran flows, the relay or memory operations'),
    );
    return out;
  }
  if (s.storeCalls.length) {
    out.push(
      ...h.table([
        [
          h.dim('store calls'),
          h.dim('calls'),
          h.dim('errors'),
          h.dim('p50'),
          h.dim('p95'),
          h.dim('p99'),
          h.dim('max'),
        ],
        ...s.storeCalls.map((c) => [
          callClass(c),
          count(c.count),
          count(c.errors),
          ms(c.p50Ms),
          ms(c.p95Ms),
          ms(c.p99Ms),
          ms(c.maxMs),
        ]),
      ]),
    );
  }
  const r = s.relay;
  out.push(
    `  relay: ${count(r.rounds)} rounds (p50 ${ms(r.p50Ms)}, p99 ${ms(r.p99Ms)}), events ${count(r.applied)} applied · ${count(r.retried)} retried · ${count(r.parked)} parked`,
  );
  for (const m of s.memoryOps)
    out.push(
      `  memory ${m.operation}: ${count(m.count)} (${count(m.errors)} errors), p50 ${ms(m.p50Ms)}, p99 ${ms(m.p99Ms)}`,
    );
  if (s.perMinute.length) {
    const peak = Math.max(...s.perMinute.map((m) => m.flowRuns), 1);
    const bars = '▁▂▃▄▅▆▇█';
    const spark = s.perMinute.map((m) => bars[Math.round((m.flowRuns / peak) * (bars.length - 1))]).join('');
    out.push(`  flow runs per minute: ${spark} ${h.dim(`(peak ${count(peak)})`)}`);
  }
  return out;
}

/** Bars of flow runs per minute (SVG), the minutes of the window on the x axis. */
function minuteBars(s: Ok, generatedAt: string): string {
  const W = 540;
  const H = 170;
  const left = 44;
  const bottom = 26;
  const top = 10;
  const end = Math.floor(Date.parse(generatedAt) / 60_000) * 60_000;
  const minutes = Array.from({ length: s.windowMinutes }, (_, i) => end - (s.windowMinutes - 1 - i) * 60_000);
  const byMinute = new Map(s.perMinute.map((m) => [Date.parse(m.minute), m]));
  const peak = Math.max(1, ...s.perMinute.map((m) => m.flowRuns));
  const slot = (W - left - 8) / minutes.length;
  const y = (v: number) => top + (1 - v / peak) * (H - top - bottom);
  const parts = [
    `<line x1="${left}" y1="${y(0)}" x2="${W - 8}" y2="${y(0)}" class="axis-line"/>`,
    `<text x="${left - 6}" y="${y(peak) + 4}" class="axis" text-anchor="end">${count(peak)}</text>`,
    `<text x="${left - 6}" y="${y(0) + 4}" class="axis" text-anchor="end">0</text>`,
  ];
  minutes.forEach((m, i) => {
    const v = byMinute.get(m)?.flowRuns ?? 0;
    const x = left + i * slot + slot * 0.15;
    if (v > 0)
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${(y(0) - y(v)).toFixed(1)}" rx="2" fill="#3b5bdb"><title>${esc(new Date(m).toISOString().slice(11, 16))} UTC: ${count(v)} runs</title></rect>`,
      );
    if (i === 0 || i === minutes.length - 1 || i % 5 === 0)
      parts.push(
        `<text x="${(x + slot * 0.35).toFixed(1)}" y="${H - 8}" class="axis" text-anchor="middle">${esc(new Date(m).toISOString().slice(11, 16))}</text>`,
      );
  });
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="flow runs per minute">${parts.join('')}</svg>`;
}

/** The HTML panel of the shared figures (under Performance Analysis). */
export function sharedHtmlPanel(report: MonitorReport): string {
  const s = report.snapshot.shared;
  if (s.status !== 'ok')
    return `<div class="panel" id="every-process"><h3>Every process · real-time metrics</h3><p class="empty">${esc(s.status === 'unavailable' ? `Unavailable: ${s.error}` : s.reason)}</p></div>`;
  const r = s.relay;
  const calls = s.storeCalls.length
    ? `<table class="store-calls"><tr><th>store call</th><th class="num">calls</th><th class="num">errors</th><th class="num">p50</th><th class="num">p95</th><th class="num">p99</th><th class="num">max</th></tr>${s.storeCalls
        .map(
          (c) =>
            `<tr><td><code>${esc(c.system)}</code> ${esc(c.operation)}${c.target ? ` <span class="muted">${esc(c.target)}</span>` : ''}</td><td class="num">${count(c.count)}</td><td class="num">${count(c.errors)}</td><td class="num">${ms(c.p50Ms)}</td><td class="num">${ms(c.p95Ms)}</td><td class="num">${ms(c.p99Ms)}</td><td class="num">${ms(c.maxMs)}</td></tr>`,
        )
        .join('')}</table>`
    : '<p class="empty">No store call recorded in the window.</p>';
  const relay = `<dl><dt>rounds</dt><dd>${count(r.rounds)}</dd><dt>round p50 / p99</dt><dd>${ms(r.p50Ms)} / ${ms(r.p99Ms)}</dd><dt>events applied</dt><dd>${count(r.applied)}</dd><dt>retried</dt><dd>${count(r.retried)}</dd><dt>parked</dt><dd>${count(r.parked)}</dd></dl>${
    r.events.length
      ? `<table style="margin-top:8px"><tr><th>event type</th><th class="num">applied</th><th class="num">retried</th><th class="num">parked</th><th class="num">p99</th></tr>${r.events
          .map(
            (e) =>
              `<tr><td>${esc(e.eventType)}</td><td class="num">${count(e.applied)}</td><td class="num">${count(e.retried)}</td><td class="num">${count(e.parked)}</td><td class="num">${ms(e.p99Ms)}</td></tr>`,
          )
          .join('')}</table>`
      : ''
  }`;
  const memory = s.memoryOps.length
    ? `<table><tr><th>operation</th><th class="num">count</th><th class="num">errors</th><th class="num">p50</th><th class="num">p99</th></tr>${s.memoryOps
        .map(
          (m) =>
            `<tr><td>${esc(m.operation)}</td><td class="num">${count(m.count)}</td><td class="num">${count(m.errors)}</td><td class="num">${ms(m.p50Ms)}</td><td class="num">${ms(m.p99Ms)}</td></tr>`,
        )
        .join('')}</table>`
    : '<p class="empty">No memory operation in the window.</p>';
  return `<div class="panel" id="every-process"><h3>Every process · last ${s.windowMinutes} min (real-time metrics in Redis)</h3>
<div class="grid2"><div><h4>Flow runs per minute</h4>${minuteBars(s, report.generatedAt)}</div><div><h4>Outbox relay</h4>${relay}</div></div>
<h4 style="margin-top:12px">Store calls by class</h4>${calls}
<h4 style="margin-top:12px">Memory operations</h4>${memory}</div>`;
}

type LocalEngine = NonNullable<Extract<MonitorReport['snapshot']['qdrant'], { status: 'ok' }>['local']>;

const localOf = (report: MonitorReport): LocalEngine | null => {
  const q = report.snapshot.qdrant;
  return q.status === 'ok' ? (q.local ?? null) : null;
};

const indexSizes = (c: LocalEngine['collections'][number]) =>
  Object.entries(c.payloadIndexSizes ?? {})
    .map(
      ([field, s]) =>
        `${field} (${s.dataType}) ${count(s.points)} pts${s.values ? `, ${count(s.values)} values` : ''}`,
    )
    .join('; ');

const vectorCounts = (c: LocalEngine['collections'][number]) =>
  Object.entries(c.vectors)
    .map(([name, n]) => `${name || 'default'} ${count(n)}`)
    .join(', ');

const engineSource = (l: LocalEngine) =>
  l.publishedAt ? `published by the app ${l.publishedAt.slice(11, 19)} UTC` : 'read in this process';

/** The text lines of the embedded engine's figures (under Performance Analysis), or none. */
export function localEngineTextLines(report: MonitorReport, h: TextHelpers): string[] {
  const l = localOf(report);
  if (!l) return [];
  return [
    '',
    h.bold(`  Local vector engine (${engineSource(l)})`),
    `  log ${bytes(l.walBytes)} · snapshot ${bytes(l.snapshotBytes)} · last compaction ${l.lastCompactionAt === null ? 'never' : new Date(l.lastCompactionAt).toISOString()}${l.compactionError ? ` · compaction failing: ${l.compactionError}` : ''}`,
    ...h.table([
      [h.dim('collection'), h.dim('points'), h.dim('segments'), h.dim('vectors'), h.dim('payload indexes')],
      ...l.collections.map((c) => [
        c.name,
        count(c.points),
        String(c.segments),
        vectorCounts(c),
        indexSizes(c) || '—',
      ]),
    ]),
  ];
}

/** The HTML panel of the embedded engine's figures, or nothing with a Qdrant server. */
export function localEngineHtmlPanel(report: MonitorReport): string {
  const l = localOf(report);
  if (!l) return '';
  return `<div class="panel" id="local-engine"><h3>Local vector engine · ${esc(engineSource(l))}</h3>
<dl><dt>write-ahead log</dt><dd>${bytes(l.walBytes)}</dd><dt>snapshot</dt><dd>${bytes(l.snapshotBytes)}</dd><dt>last compaction</dt><dd>${l.lastCompactionAt === null ? 'never' : esc(new Date(l.lastCompactionAt).toISOString())}</dd>${l.compactionError ? `<dt>compaction</dt><dd>${esc(l.compactionError)}</dd>` : ''}</dl>
<table style="margin-top:8px"><tr><th>collection</th><th class="num">points</th><th class="num">segments</th><th>vectors</th><th>payload indexes</th></tr>${l.collections
    .map(
      (c) =>
        `<tr><td>${esc(c.name)}</td><td class="num">${count(c.points)}</td><td class="num">${c.segments}</td><td>${esc(vectorCounts(c))}</td><td>${esc(indexSizes(c) || '—')}</td></tr>`,
    )
    .join('')}</table></div>`;
}
