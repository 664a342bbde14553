// The terminal report: five sections, aligned columns, colour only when asked (a TTY).

import { thresholdTable } from '../report/monitoring-setup.js';
import type { MonitorReport } from '../report/types.js';
import { bytes, count, inUnit, ms, pct } from './format.js';
import { localEngineTextLines, sharedTextLines } from './panels.js';

export interface TextReportOptions {
  /** ANSI colours. Default false (the CLI turns them on for a TTY). */
  color?: boolean;
  /** Wrap width of long lines. Default 100. */
  width?: number;
}

type Paint = (code: string, text: string) => string;

function table(rows: string[][], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, visible(cell).length);
    });
  return rows.map((row) =>
    (
      indent +
      row
        .map((cell, i) =>
          i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visible(cell).length),
        )
        .join('  ')
    ).trimEnd(),
  );
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI colour codes
const visible = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

/** Wraps at `width` visible characters; lines after the first get `rest` (default `indent`). */
function wrap(text: string, width: number, indent: string, rest = indent): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const pad = lines.length ? rest : indent;
    if (line && pad.length + visible(line).length + 1 + visible(word).length > width) {
      lines.push(pad + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push((lines.length ? rest : indent) + line);
  return lines;
}

/**
 * Renders the report for a terminal: Database Status, Performance Analysis, Integration
 * Recommendations, Optimization Plan and Monitoring Setup.
 * @example
 * process.stdout.write(renderTextReport(await monitor.report(), { color: process.stdout.isTTY }));
 */
export function renderTextReport(report: MonitorReport, options: TextReportOptions = {}): string {
  const width = options.width ?? 100;
  const paint: Paint = options.color
    ? (code, text) => `\u001b[${code}m${text}\u001b[0m`
    : (_code, text) => text;
  const bold = (t: string) => paint('1', t);
  const dim = (t: string) => paint('2', t);
  const red = (t: string) => paint('31', t);
  const yellow = (t: string) => paint('33', t);
  const green = (t: string) => paint('32', t);
  const s = report.snapshot;
  const out: string[] = [];
  const section = (title: string) =>
    out.push('', bold(title.toUpperCase()), dim('─'.repeat(Math.min(width, 72))));

  out.push(bold('MonsterOS Data — performance report'));
  const n = report.findings.length;
  out.push(
    dim(`${report.generatedAt} · collected in ${ms(s.collectMs)} · ${n} finding${n === 1 ? '' : 's'}`),
  );

  section('Database Status');
  out.push(
    ...table(
      report.status.map((st) => {
        const mark =
          st.state === 'down'
            ? red('✖ down')
            : st.state === 'not-configured'
              ? dim('○ n/c')
              : st.worst === 'critical'
                ? red('● up')
                : st.worst === 'warning'
                  ? yellow('● up')
                  : green('● up');
        return [mark, bold(st.label), st.summary];
      }),
    ),
  );

  section('Performance Analysis');
  const latency: string[][] = [
    [dim('latency'), dim('p50'), dim('p95'), dim('p99'), dim('max'), dim('calls')],
  ];
  if (s.postgres.status === 'ok') {
    const l = s.postgres.latency;
    latency.push([
      'PostgreSQL round trip',
      ms(l.p50Ms),
      ms(l.p95Ms),
      ms(l.p99Ms),
      ms(l.maxMs),
      count(l.count),
    ]);
  }
  if (s.redis.status === 'ok') {
    const l = s.redis.latency;
    latency.push(['Redis round trip', ms(l.p50Ms), ms(l.p95Ms), ms(l.p99Ms), ms(l.maxMs), count(l.count)]);
  }
  if (s.qdrant.status === 'ok') {
    for (const q of s.qdrant.search)
      latency.push([`Qdrant ${q.name}`, ms(q.p50Ms), '', ms(q.p99Ms), '', count(q.count)]);
  }
  if (s.duckdb.status === 'ok') {
    for (const q of s.duckdb.queries.slice(0, 8))
      latency.push([`DuckDB ${q.name}`, ms(q.p50Ms), '', ms(q.p99Ms), ms(q.maxMs), count(q.calls)]);
  }
  if (s.flows.status === 'ok') {
    for (const st of s.flows.steps.slice(0, 12))
      latency.push([
        `${st.flow} › ${st.step} (${st.store})`,
        ms(st.p50Ms),
        ms(st.p95Ms),
        ms(st.p99Ms),
        ms(st.maxMs),
        count(st.count),
      ]);
  }
  out.push(...table(latency));

  if (s.redis.status === 'ok') {
    out.push('');
    out.push(
      ...table([
        [dim('cache namespace'), dim('hit rate'), dim('reads'), dim('keys / max'), dim('evictions')],
        ...s.redis.namespaces.map((n) => [
          n.name,
          pct(n.hitRate),
          count(n.hits + n.misses),
          `${count(n.keys)} / ${count(n.maxSize)}`,
          count(n.evictions),
        ]),
      ]),
    );
  }
  if (s.postgres.status === 'ok') {
    out.push('');
    if (s.postgres.slowStatements.available) {
      out.push(
        ...table([
          [dim('slowest statements'), dim('mean'), dim('calls')],
          ...s.postgres.slowStatements.rows
            .slice(0, 5)
            .map((r) => [r.query.replace(/\s+/g, ' ').slice(0, 60), ms(r.meanMs), count(r.calls)]),
        ]),
      );
    } else out.push(`  ${dim('slow statements:')} ${s.postgres.slowStatements.reason}`);
    out.push('');
    out.push(
      ...table([
        [dim('largest tables'), dim('total'), dim('rows')],
        ...s.postgres.tables.slice(0, 6).map((t) => [t.table, bytes(t.totalBytes), `~${count(t.rows)}`]),
      ]),
    );
  }
  if (report.trends.status === 'ok' && report.trends.characters.length) {
    out.push('');
    out.push(
      ...table([
        [
          dim(`interactions, last ${report.trends.hours} h`),
          dim('count'),
          dim('avg response'),
          dim('success'),
          dim('trend'),
        ],
        ...report.trends.characters.map((c) => [
          c.character,
          count(c.interactions),
          ms(c.avgResponseTimeMs),
          pct(c.successRate),
          c.direction,
        ]),
      ]),
    );
  }
  out.push(...sharedTextLines(report, { bold, dim, table }));
  out.push(...localEngineTextLines(report, { bold, dim, table }));
  out.push('', bold(`  Bottlenecks (${report.findings.length})`));
  if (report.findings.length === 0) out.push(`  ${green('✔')} no threshold crossed`);
  for (const f of report.findings) {
    const tag = f.severity === 'critical' ? red('✖ critical') : yellow('▲ warning ');
    out.push(`  ${tag} ${bold(f.store)}${f.subject ? ` ${dim(f.subject)}` : ''}`);
    out.push(...wrap(f.issue, width, '      '));
    out.push(
      `      ${dim('measured')} ${inUnit(f.measured, f.unit)}  ${dim('threshold')} ${inUnit(f.threshold, f.unit)}${f.thresholdName ? dim(` (${f.thresholdName})`) : ''}`,
    );
    out.push(...wrap(`→ ${f.action}`, width, '      '));
  }

  section('Integration Recommendations');
  for (const r of report.integration) {
    const mark = r.state === 'good' ? green('✔') : r.state === 'attention' ? yellow('▲') : dim('?');
    out.push(`  ${mark} ${bold(r.title)}`);
    out.push(...wrap(r.basis, width, '      ').map(dim));
    out.push(...wrap(r.recommendation, width, '      '));
  }

  section('Optimization Plan');
  if (report.plan.length === 0)
    out.push(
      `  ${green('✔')} No threshold is crossed: nothing to change now. Keep this report running to catch drift.`,
    );
  for (const step of report.plan) {
    const tag = step.severity === 'critical' ? red('critical') : yellow('warning');
    out.push(...wrap(`${step.order}. [${tag}] ${bold(step.store)}: ${step.action}`, width, '  ', '     '));
    for (const b of step.because.slice(0, 3)) out.push(...wrap(`because ${b}`, width, '       ').map(dim));
    if (step.because.length > 3) out.push(dim(`       … and ${step.because.length - 3} more`));
  }

  if (report.tuning.length) {
    out.push(
      '',
      bold(
        '  Tuning (computed from the servers\' memory, CPUs, connections and data; README "Tuning rules")',
      ),
    );
    out.push(
      ...table(
        report.tuning.map((t) => [
          t.change ? yellow('▲') : green('✔'),
          `${t.store} ${t.setting}`,
          t.current,
          '→',
          bold(t.recommended),
          dim(t.change ? t.command : 'as the rule gives'),
        ]),
        '  ',
      ),
    );
  }

  section('Monitoring Setup');
  for (const item of report.monitoring) {
    out.push(`  ${item.state === 'ok' ? green('✔') : yellow('✖')} ${bold(item.item)}`);
    out.push(...wrap(item.detail, width, '      '));
  }
  out.push('', `  ${dim('thresholds in force (createMonitor({ thresholds }) to change):')}`);
  out.push(
    ...table(
      thresholdTable(report.thresholds).map((t) => [
        t.name,
        inUnit(t.value, t.unit as 'ratio' | 'ms' | 'count'),
        dim(t.meaning),
      ]),
      '    ',
    ),
  );
  out.push('', dim('  pnpm db:report --json for machines · --html <file> for a page with charts'), '');
  return out.join('\n');
}
