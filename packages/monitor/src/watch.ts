// `pnpm db:report --watch`: the text report redrawn in place every few seconds, for an operator
// following a load test. Each frame is one write that homes the cursor, rewrites every line
// (clearing what the previous frame left to its right) and clears below: no blank flash, no
// scrolling. It runs on the terminal's alternate screen, which is restored on exit.
import type { Monitor } from './create-monitor.js';
import { renderTextReport } from './render/text.js';

const HOME = '\u001b[H';
const CLEAR_LINE_RIGHT = '\u001b[K';
const CLEAR_BELOW = '\u001b[J';
const ALT_SCREEN_ON = '\u001b[?1049h\u001b[?25l';
const ALT_SCREEN_OFF = '\u001b[?25h\u001b[?1049l';

export interface WatchOptions {
  monitor: Pick<Monitor, 'report'>;
  out: (text: string) => void;
  /** Time between the end of one frame and the start of the next, in ms. */
  intervalMs: number;
  color: boolean;
  /** Resolves when the watch should end (SIGINT/SIGTERM in the CLI). */
  stop: Promise<void>;
  /** Ends after this many frames (tests). Default unlimited. */
  maxFrames?: number;
  /** Terminal rows (the frame is cut to fit). Default unlimited. */
  rows?: number;
}

/** One frame: the report's lines, each followed by clear-to-end-of-line, then clear below. */
function frame(text: string, header: string, rows = Number.POSITIVE_INFINITY): string {
  const lines = [header, ...text.split('\n')].slice(0, Math.max(1, rows - 1));
  return `${HOME}${lines.map((l) => `${l}${CLEAR_LINE_RIGHT}`).join('\n')}${CLEAR_BELOW}`;
}

/**
 * Redraws the report until `stop` resolves (or `maxFrames`); a failed collection shows its error
 * in the frame and the watch goes on. Returns the number of frames drawn.
 */
export async function watchReport(options: WatchOptions): Promise<number> {
  let stopped = false;
  void options.stop.then(() => {
    stopped = true;
  });
  options.out(ALT_SCREEN_ON);
  let frames = 0;
  try {
    while (!stopped && frames < (options.maxFrames ?? Number.POSITIVE_INFINITY)) {
      let body: string;
      try {
        body = renderTextReport(await options.monitor.report(), { color: options.color });
      } catch (error) {
        body = `the report failed: ${error instanceof Error ? error.message : String(error)}`;
      }
      if (stopped) break;
      const at = new Date().toISOString().slice(11, 19);
      options.out(
        frame(
          body,
          `db:report --watch · ${at} UTC · every ${options.intervalMs / 1000} s · Ctrl-C quits`,
          options.rows,
        ),
      );
      frames++;
      if (frames >= (options.maxFrames ?? Number.POSITIVE_INFINITY)) break;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        options.stop,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, options.intervalMs);
        }),
      ]);
      clearTimeout(timer);
    }
  } finally {
    options.out(ALT_SCREEN_OFF);
  }
  return frames;
}
