// The HTML report: one self-contained page (inline CSS and SVG, no script, no external asset)
// with the same five sections as the terminal report, and charts where a chart says it faster.

import { thresholdTable } from '../report/monitoring-setup.js';
import type { MonitorReport, StoreStatus, TrendPoint } from '../report/types.js';
import type { LatencySummary } from '../types.js';
import { esc, latencyChart, legend, lineChart, PALETTE, type RangeRow, ratioBars } from './charts.js';
import { bytes, count, inUnit, ms, pct } from './format.js';
import { localEngineHtmlPanel, sharedHtmlPanel } from './panels.js';

const STYLE = `
:root{--bg:#f4f6fb;--card:#fff;--ink:#1d2433;--muted:#6b7385;--line:#e3e7ef;--ok:#1a9e61;--warn:#e0a100;--bad:#d1453b;--off:#a3aab8;--accent:#3b5bdb}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
header{background:linear-gradient(120deg,#1f2a48,#3b5bdb);color:#fff;padding:28px 40px 60px}
header h1{margin:0;font-size:26px;font-weight:650;letter-spacing:-.01em}
header p{margin:6px 0 0;opacity:.8}
.pill{display:inline-block;margin-top:14px;padding:4px 12px;border-radius:999px;font-weight:600;font-size:13px;background:rgba(255,255,255,.16)}
.pill.bad{background:#d1453b}.pill.warn{background:#e0a100;color:#1d2433}.pill.ok{background:#1a9e61}
main{max-width:1180px;margin:-40px auto 40px;padding:0 24px}
section{margin-bottom:34px}
h2{font-size:18px;margin:0 0 12px;letter-spacing:-.01em}
section:first-child h2{color:#fff}
h4{font-size:13px;margin:6px 0 2px;font-weight:600;color:#354058}
h3{font-size:14px;margin:0 0 10px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.04em}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:14px}
.card,.panel{background:var(--card);border-radius:12px;box-shadow:0 1px 2px rgba(16,24,40,.06),0 1px 3px rgba(16,24,40,.08);padding:16px 18px}
.panel{margin-bottom:14px}
.card{border-top:4px solid var(--ok)}
.card.warning{border-top-color:var(--warn)}.card.critical,.card.down{border-top-color:var(--bad)}.card.not-configured{border-top-color:var(--off)}
.card-head{display:flex;align-items:center;justify-content:space-between;gap:10px;margin-bottom:4px}
.card-head strong{font-size:16px}
.badge{white-space:nowrap;font-size:12px;font-weight:600;padding:2px 9px;border-radius:999px;background:#e7f6ee;color:var(--ok)}
.badge.warning{background:#fdf3d8;color:#8a6300}.badge.critical,.badge.down{background:#fbe5e3;color:var(--bad)}.badge.not-configured{background:#eef0f4;color:var(--muted)}
.summary{color:var(--muted);margin:0 0 10px;font-size:13px}
dl{display:grid;grid-template-columns:auto 1fr;gap:3px 14px;margin:0;font-size:13px}
dt{color:var(--muted)}dd{margin:0;text-align:right;font-variant-numeric:tabular-nums}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:14px}
@media (max-width:900px){.grid2{grid-template-columns:1fr}}
.chart{width:100%;height:auto;display:block}
.chart text{font-family:inherit}
.chart .grid{stroke:#e6e9f0;stroke-width:1}.chart .grid.minor{stroke:#f1f3f7}
.chart .band{fill:#f8f9fc}
.muted{color:var(--muted)}
.chart .axis{fill:#8a91a1;font-size:11px}.chart .axis-line{stroke:#c5cad6}
.chart .label{fill:#1d2433;font-size:12.5px}.chart .value{fill:#4a5163;font-size:12px;font-variant-numeric:tabular-nums}
.chart .strong{font-weight:650;fill:#1d2433}.chart .muted{fill:#8a91a1;font-size:12px}
.chart .track{fill:#eef0f5}.chart .target{stroke:#1d2433;stroke-width:1.5;stroke-dasharray:4 3}.chart .target-label{fill:#1d2433}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;margin:4px 0 8px;font-size:12.5px;color:var(--muted)}
.legend i{display:inline-block;width:10px;height:10px;border-radius:3px;margin-right:6px;vertical-align:-1px}
.empty{color:var(--muted);font-style:italic;margin:6px 0}
table{border-collapse:collapse;width:100%;font-size:13px}
th{text-align:left;color:var(--muted);font-weight:600;border-bottom:1px solid var(--line);padding:6px 8px}
td{border-bottom:1px solid #f0f2f6;padding:6px 8px;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code{font:12px/1.4 ui-monospace,"DejaVu Sans Mono",monospace;background:#f2f4f8;padding:1px 5px;border-radius:4px;word-break:break-word}
.finding{display:grid;grid-template-columns:92px 1fr auto;gap:4px 14px;padding:12px 0;border-bottom:1px solid var(--line)}
.finding:last-child{border-bottom:0}
.sev{font-size:12px;font-weight:700;text-transform:uppercase;letter-spacing:.04em;padding-top:2px}
.sev.critical{color:var(--bad)}.sev.warning{color:#b88400}
.finding .what{font-weight:600}.finding .action{color:#354058;margin-top:2px}.finding .action::before{content:"→ ";color:var(--accent)}
.finding .measure{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.finding .measure b{font-size:16px}.finding .measure span{display:block;color:var(--muted);font-size:12px}
.allclear{display:flex;gap:12px;align-items:center;color:var(--ok);font-weight:600}
.allclear i{width:26px;height:26px;border-radius:50%;background:var(--ok);color:#fff;display:grid;place-items:center;font-style:normal}
.reco{border-left:4px solid var(--ok)}.reco.attention{border-left-color:var(--warn)}.reco.unknown{border-left-color:var(--off)}
.reco .basis{color:var(--muted);font-size:13px;margin:2px 0 6px}
ol.plan{list-style:none;padding:0;margin:0;counter-reset:step}
ol.plan>li{counter-increment:step;position:relative;padding:12px 0 12px 46px;border-bottom:1px solid var(--line)}
ol.plan>li:last-child{border-bottom:0}
ol.plan>li::before{content:counter(step);position:absolute;left:0;top:11px;width:30px;height:30px;border-radius:50%;display:grid;place-items:center;font-weight:700;color:#fff;background:var(--warn)}
ol.plan>li.critical::before{background:var(--bad)}
ol.plan .because{color:var(--muted);font-size:12.5px;margin:3px 0 0;padding-left:18px;list-style:disc}
.check{display:grid;grid-template-columns:28px 200px 1fr;gap:6px;padding:8px 0;border-bottom:1px solid var(--line)}
.check:last-child{border-bottom:0}
.check .mark{font-weight:700;color:var(--ok)}.check.missing .mark{color:var(--warn)}
.check .detail{color:#4a5163}
details summary{cursor:pointer;color:var(--accent);font-weight:600;margin:4px 0}
footer{text-align:center;color:var(--muted);font-size:12px;padding:10px 0 30px}
`;

const GROUP_COLORS: Record<string, string> = {
  PostgreSQL: '#336791',
  Redis: '#d82c20',
  Qdrant: '#8b3fd9',
  DuckDB: '#c79a00',
  Flows: '#0f8b8d',
};

function statusCard(st: StoreStatus): string {
  const cls = st.state === 'up' ? (st.worst ?? 'ok') : st.state;
  const badge =
    st.state === 'up'
      ? st.worst === 'critical'
        ? 'critical'
        : st.worst === 'warning'
          ? 'warning'
          : 'healthy'
      : st.state === 'down'
        ? 'down'
        : 'not configured';
  return `<div class="card ${cls}"><div class="card-head"><strong>${esc(st.label)}</strong><span class="badge ${cls}">${esc(badge)}</span></div>
<p class="summary">${esc(st.summary)}</p>${st.figures.length ? `<dl>${st.figures.map((f) => `<dt>${esc(f.label)}</dt><dd>${esc(f.value)}</dd>`).join('')}</dl>` : ''}</div>`;
}

/** A store's measured round trips as one chart row. */
function roundTrip(group: string, l: LatencySummary): RangeRow {
  return {
    group,
    label: `${group} round trip`,
    p50: l.p50Ms,
    p95: l.p95Ms,
    p99: l.p99Ms,
    max: l.maxMs,
    samples: l.values ?? [],
  };
}

function latencyRows(report: MonitorReport): RangeRow[] {
  const s = report.snapshot;
  const rows: RangeRow[] = [];
  if (s.postgres.status === 'ok') rows.push(roundTrip('PostgreSQL', s.postgres.latency));
  if (s.redis.status === 'ok') rows.push(roundTrip('Redis', s.redis.latency));
  if (s.qdrant.status === 'ok') {
    for (const q of s.qdrant.search.filter((q) => q.count > 0))
      rows.push({ group: 'Qdrant', label: `Qdrant ${q.name}`, p50: q.p50Ms, p99: q.p99Ms });
  }
  if (s.duckdb.status === 'ok') {
    for (const q of s.duckdb.queries.filter((q) => q.calls > 0).slice(0, 8))
      rows.push({ group: 'DuckDB', label: `DuckDB ${q.name}`, p50: q.p50Ms, p99: q.p99Ms, max: q.maxMs });
  }
  if (s.flows.status === 'ok') {
    for (const st of s.flows.steps.slice(0, 10))
      rows.push({
        group: 'Flows',
        label: `${st.flow} › ${st.step}`,
        p50: st.p50Ms,
        p95: st.p95Ms,
        p99: st.p99Ms,
        max: st.maxMs,
      });
  }
  return rows;
}

function findingsPanel(report: MonitorReport): string {
  if (report.findings.length === 0)
    return '<div class="allclear"><i>✓</i>No threshold crossed: every store is within its limits.</div>';
  return report.findings
    .map(
      (f) => `<div class="finding"><div class="sev ${f.severity}">${f.severity}</div>
<div><div class="what">${esc(f.store)} · ${esc(f.issue)}</div>${f.subject ? `<div><code>${esc(f.subject)}</code></div>` : ''}<div class="action">${esc(f.action)}</div></div>
<div class="measure"><b>${esc(inUnit(f.measured, f.unit))}</b><span>limit ${esc(inUnit(f.threshold, f.unit))}</span></div></div>`,
    )
    .join('');
}

function trendsPanel(report: MonitorReport): string {
  const t = report.trends;
  if (t.status !== 'ok')
    return `<p class="empty">Interaction trends unavailable: ${esc(t.status === 'unavailable' ? t.error : t.reason)}</p>`;
  const to = Date.parse(report.generatedAt);
  const from = to - t.hours * 3_600_000;
  const colors = new Map(t.characters.map((c, i) => [c.character, PALETTE[i % PALETTE.length]!]));
  const series = (pick: (p: TrendPoint) => number) =>
    t.characters.map((c) => ({
      name: c.character,
      color: colors.get(c.character)!,
      points: c.hourly.map((h) => ({ t: Date.parse(h.hour) + 1_800_000, v: pick(h) })),
    }));
  const items = t.characters.map((c) => ({
    name: `${c.character} (${count(c.interactions)}, ${c.direction})`,
    color: colors.get(c.character)!,
  }));
  const mem = t.memory;
  return `<h3>Interaction trends · last ${t.hours} h (analytics views)</h3>
${legend(items)}
<div class="grid2"><div><h4>Interactions per hour</h4>${lineChart(
    series((h) => h.interactions),
    {
      yLabel: 'interactions',
      format: (v) => count(v),
      from,
      to,
      width: 540,
    },
  )}</div>
<div><h4>Average response time</h4>${lineChart(
    series((h) => h.avgResponseTimeMs),
    {
      yLabel: 'response time',
      format: (v) => ms(v),
      from,
      to,
      width: 540,
    },
  )}</div></div>
${
  mem.byOperation.length
    ? `<h3 style="margin-top:14px">Memory operations</h3><table><tr><th>operation</th><th class="num">count</th><th class="num">avg latency</th><th class="num">p95</th><th class="num">quality</th><th>rating</th></tr>
${mem.byOperation.map((r) => `<tr><td>${esc(r.operationType)}</td><td class="num">${count(r.operations)}</td><td class="num">${ms(r.avgLatencyMs)}</td><td class="num">${ms(r.p95LatencyMs)}</td><td class="num">${r.avgQuality === null ? '—' : r.avgQuality.toFixed(2)}</td><td>${esc(r.rating)}</td></tr>`).join('')}</table>`
    : ''
}`;
}

function detailTables(report: MonitorReport): string {
  const s = report.snapshot;
  const parts: string[] = [];
  if (s.postgres.status === 'ok') {
    const st = s.postgres.slowStatements;
    parts.push(
      st.available
        ? `<h3>Slowest statements</h3><table><tr><th>statement</th><th class="num">mean</th><th class="num">calls</th></tr>${st.rows
            .slice(0, 8)
            .map(
              (r) =>
                `<tr><td><code>${esc(r.query.replace(/\s+/g, ' ').slice(0, 200))}</code></td><td class="num">${ms(r.meanMs)}</td><td class="num">${count(r.calls)}</td></tr>`,
            )
            .join('')}</table>`
        : `<h3>Slowest statements</h3><p class="empty">${esc(st.reason)}</p>`,
      `<h3 style="margin-top:14px">Largest tables</h3><table><tr><th>table</th><th class="num">total</th><th class="num">table</th><th class="num">indexes</th><th class="num">rows</th></tr>${s.postgres.tables
        .slice(0, 10)
        .map(
          (t) =>
            `<tr><td>${esc(t.table)}</td><td class="num">${bytes(t.totalBytes)}</td><td class="num">${bytes(t.tableBytes)}</td><td class="num">${bytes(t.indexBytes)}</td><td class="num">~${count(t.rows)}</td></tr>`,
        )
        .join('')}</table>`,
    );
  }
  if (s.flows.status === 'ok' && s.flows.steps.length) {
    parts.push(
      `<h3 style="margin-top:14px">Flow steps</h3><table><tr><th>flow</th><th>step</th><th>store</th><th class="num">runs</th><th class="num">p50</th><th class="num">p95</th><th class="num">failed</th><th class="num">fell back</th></tr>${s.flows.steps
        .map(
          (st) =>
            `<tr><td>${esc(st.flow)}</td><td>${esc(st.step)}</td><td>${esc(st.store)}</td><td class="num">${count(st.count)}</td><td class="num">${ms(st.p50Ms)}</td><td class="num">${ms(st.p95Ms)}</td><td class="num">${st.failed}</td><td class="num">${st.degraded}</td></tr>`,
        )
        .join('')}</table>`,
    );
  }
  return parts.join('');
}

/**
 * Renders the report as one self-contained HTML page with inline SVG charts (latency
 * distributions, cache hit rates, interaction trends); it loads nothing from anywhere.
 * @example
 * await writeFile('report.html', renderHtmlReport(await monitor.report()));
 */
export function renderHtmlReport(report: MonitorReport): string {
  const s = report.snapshot;
  const critical = report.findings.filter((f) => f.severity === 'critical').length;
  const warnings = report.findings.length - critical;
  const pill = critical
    ? `<span class="pill bad">${critical} critical · ${warnings} warning${warnings === 1 ? '' : 's'}</span>`
    : warnings
      ? `<span class="pill warn">${warnings} warning${warnings === 1 ? '' : 's'}</span>`
      : '<span class="pill ok">All clear</span>';
  const latency = latencyRows(report);
  const groups = [...new Set(latency.map((r) => r.group))];
  const cache =
    s.redis.status === 'ok'
      ? ratioBars(
          s.redis.namespaces.map((n) => ({
            label: n.name,
            value: n.hitRate,
            note: `${count(n.hits + n.misses)} reads · ${count(n.keys)} keys`,
          })),
          report.thresholds.cacheHitRateMin,
          `target ${pct(report.thresholds.cacheHitRateMin)}`,
        )
      : `<p class="empty">Redis unavailable: ${esc(s.redis.status === 'unavailable' ? s.redis.error : s.redis.reason)}</p>`;
  const generated = new Date(report.generatedAt);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>MonsterOS Data · performance report</title><style>${STYLE}</style></head>
<body>
<header><h1>MonsterOS Data · performance report</h1>
<p>${esc(generated.toUTCString())} · collected in ${esc(ms(s.collectMs))}</p>${pill}</header>
<main>
<section id="database-status"><h2>Database Status</h2><div class="cards">${report.status.map(statusCard).join('')}</div></section>

<section id="performance-analysis"><h2>Performance Analysis</h2>
<div class="panel"><h3>Bottlenecks</h3>${findingsPanel(report)}</div>
<div class="panel"><h3>Latency distributions · p50 ● to p99 ▬, p95 tick, max whisker, samples as dots (log scale)</h3>${legend(groups.map((g) => ({ name: g, color: GROUP_COLORS[g] ?? '#555' })))}${latencyChart(latency, GROUP_COLORS)}</div>
<div class="panel"><h3>Cache hit rates by namespace</h3>${cache}</div>
${sharedHtmlPanel(report)}
${localEngineHtmlPanel(report)}
<div class="panel">${trendsPanel(report)}</div>
<div class="panel"><details open><summary>Statements, tables and flow steps</summary>${detailTables(report) || '<p class="empty">Nothing more to show.</p>'}</details></div>
</section>

<section id="integration-recommendations"><h2>Integration Recommendations</h2><div class="cards">${report.integration
    .map(
      (r) =>
        `<div class="card reco ${r.state}" style="border-top:0"><div class="card-head"><strong>${esc(r.title)}</strong><span class="badge ${r.state === 'good' ? '' : r.state === 'attention' ? 'warning' : 'not-configured'}">${esc(r.state)}</span></div><p class="basis">${esc(r.basis)}</p><div>${esc(r.recommendation)}</div></div>`,
    )
    .join('')}</div></section>

<section id="optimization-plan"><h2>Optimization Plan</h2><div class="panel">${
    report.plan.length
      ? `<ol class="plan">${report.plan
          .map(
            (p) =>
              `<li class="${p.severity}"><strong>${esc(p.store)}</strong>: ${esc(p.action)}<ul class="because">${p.because
                .slice(0, 4)
                .map((b) => `<li>${esc(b)}</li>`)
                .join(
                  '',
                )}${p.because.length > 4 ? `<li>… and ${p.because.length - 4} more</li>` : ''}</ul></li>`,
          )
          .join('')}</ol>`
      : '<div class="allclear"><i>✓</i>Nothing to change now. Keep the report running to catch drift early.</div>'
  }</div></section>

<section id="tuning"><h2>Tuning</h2><div class="panel"><table><tr><th>store</th><th>setting</th><th>now</th><th>rule gives</th><th>rule (with the numbers)</th><th>command</th></tr>${report.tuning
    .map(
      (t) =>
        `<tr class="${t.change ? 'change' : 'ok'}"><td>${esc(t.store)}</td><td><code>${esc(t.setting)}</code></td><td class="num">${esc(t.current)}</td><td class="num"><strong>${esc(t.recommended)}</strong>${t.change ? ' ▲' : ' ✓'}</td><td>${esc(t.rule)}</td><td><code>${esc(t.command)}</code><br><span class="basis">${esc(t.applies)}</span></td></tr>`,
    )
    .join('')}</table></div></section>

<section id="monitoring-setup"><h2>Monitoring Setup</h2><div class="panel">${report.monitoring
    .map(
      (m) =>
        `<div class="check ${m.state}"><span class="mark">${m.state === 'ok' ? '✓' : '!'}</span><strong>${esc(m.item)}</strong><span class="detail">${esc(m.detail)}</span></div>`,
    )
    .join('')}
<details><summary>Thresholds in force</summary><table><tr><th>threshold</th><th class="num">value</th><th>fires when</th></tr>${thresholdTable(
    report.thresholds,
  )
    .map(
      (t) =>
        `<tr><td><code>${esc(t.name)}</code></td><td class="num">${esc(inUnit(t.value, t.unit as 'ratio' | 'ms' | 'count'))}</td><td>${esc(t.meaning)}</td></tr>`,
    )
    .join('')}</table></details></div></section>
</main>
<footer>pnpm db:report --html · machine-readable: pnpm db:report --json</footer>
</body></html>
`;
}
