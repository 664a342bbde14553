// The bottleneck rules: a table of small functions, each reading one part of a snapshot and
// comparing it with its threshold (table.ts, one file per rule); findBottlenecks applies them all.
export { findBottlenecks } from './find-bottlenecks.js';
export type { Finding, Rule } from './rule.js';
export { RULES, type RuleId } from './table.js';
