import type { MonitorReport } from '../report/types.js';

/**
 * The report as JSON (what `pnpm db:report --json` prints): every reading is plain data, so this
 * is the report exactly, indented, with a final newline.
 * @example
 * renderJsonReport(await monitor.report()); // '{\n  "generatedAt": "2026-12-07T06:10:00.000Z", …'
 */
export function renderJsonReport(report: MonitorReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
