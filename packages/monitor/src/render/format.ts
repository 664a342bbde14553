// Number formatting shared by the terminal and HTML reports.

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function ms(v: number): string {
  if (v === 0) return '0 ms';
  if (v >= 3_600_000) return `${(v / 3_600_000).toFixed(1)} h`;
  if (v >= 60_000) return `${(v / 60_000).toFixed(1)} min`;
  if (v >= 10_000) return `${(v / 1000).toFixed(1)} s`;
  if (v >= 100) return `${v.toFixed(0)} ms`;
  if (v >= 10) return `${v.toFixed(1)} ms`;
  return `${v.toFixed(2)} ms`;
}

export function pct(v: number | null): string {
  return v === null ? 'n/a' : `${(v * 100).toFixed(1)} %`;
}

export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A threshold or measured value in its unit. */
export function inUnit(v: number | null, unit: 'ratio' | 'ms' | 'count'): string {
  if (v === null) return '—';
  return unit === 'ratio' ? pct(v) : unit === 'ms' ? ms(v) : count(v);
}
