// Feedback while seeding: a bar per phase on a terminal, plain lines otherwise (CI, logs).

export interface PhaseProgress {
  /** Adds `n` done units. */
  tick(n?: number): void;
  /** Ends the phase with a one-line result. */
  done(summary?: string): void;
}

export interface ProgressReporter {
  phase(name: string, total: number): PhaseProgress;
}

const BAR = 28;

/**
 * A reporter writing to `stream`: redrawn bars when it is a TTY, otherwise one line when a
 * phase starts and one when it ends (and every 25% for long phases).
 * @example
 * const p = createProgress(process.stderr).phase('interactions', 40_000); p.tick(500); p.done();
 */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  const tty = Boolean(stream.isTTY);
  return {
    phase(name, total) {
      const started = performance.now();
      let count = 0;
      let lastQuarter = 0;
      let lastDraw = 0;
      const label = name.padEnd(14);
      const draw = () => {
        const ratio = total > 0 ? Math.min(1, count / total) : 1;
        const filled = Math.round(ratio * BAR);
        stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}] ${count}/${total}`);
      };
      if (!tty) stream.write(`${label} started (${total})\n`);
      return {
        tick(n = 1) {
          count += n;
          if (tty) {
            const now = performance.now();
            if (now - lastDraw > 80) {
              lastDraw = now;
              draw();
            }
          } else if (total >= 1000) {
            const quarter = Math.floor((count / total) * 4);
            if (quarter > lastQuarter && quarter < 4) {
              lastQuarter = quarter;
              stream.write(`${label} ${quarter * 25}%\n`);
            }
          }
        },
        done(summary) {
          const seconds = ((performance.now() - started) / 1000).toFixed(1);
          if (tty) {
            count = Math.max(count, total);
            draw();
            stream.write(`  ${seconds}s${summary ? `  ${summary}` : ''}\n`);
          } else {
            stream.write(`${label} done in ${seconds}s${summary ? ` (${summary})` : ''}\n`);
          }
        },
      };
    },
  };
}

/** Renders rows as an aligned text table (the closing summary): text left, the last column (counts) right. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const last = header.length - 1;
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === last ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
