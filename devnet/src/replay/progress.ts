// Progress of a replay on stderr: inputs done/total, a rate (inputs/s, or of what the replay's
// checks count: records/s for lcore) and the time left. On a terminal one bar
// redrawn in place (carriage return), at most five times a second; elsewhere (CI logs, a
// pipe) one line each time another tenth of the inputs is done, so a log stays short.

export interface ProgressState {
  done: number;
  total: number;
  /** What the rate counts ("inputs", "records"), and how many so far. */
  unit: string;
  count: number;
  seconds: number;
}

const BAR_WIDTH = 30;
/** Non-terminal output: a line per this fraction of the inputs. */
const LINE_EVERY = 0.1;
const REDRAW_MS = 200;

/** "42s", "3m07s", "2h05m"; "?" before anything can be estimated. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** One progress line, without line ending: `replay [####......] 12/40 inputs, 350.0 records/s, ETA 8s`. */
export function formatProgress(p: ProgressState): string {
  const fraction = p.total === 0 ? 1 : Math.min(1, p.done / p.total);
  const filled = Math.round(fraction * BAR_WIDTH);
  const rate = p.seconds > 0 ? p.count / p.seconds : 0;
  const eta =
    p.done >= p.total
      ? "done"
      : p.done === 0
        ? "ETA ?"
        : `ETA ${formatDuration(((p.total - p.done) * p.seconds) / p.done)}`;
  return `replay [${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] ${p.done}/${p.total} inputs, ${rate.toFixed(1)} ${p.unit}/s, ${eta}`;
}

export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;
  private lastStep = -1;
  /** A bar is drawn and its line not yet ended. */
  private open = false;

  /** `tty`: redraw one line in place; otherwise print a line per tenth. `unit`: what tick's count counts. */
  constructor(
    private readonly total: number,
    private readonly write: (text: string) => void = (t) => process.stderr.write(t),
    private readonly tty = false,
    private readonly unit = "inputs",
  ) {}

  seconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  tick(done: number, count: number): void {
    const last = done >= this.total;
    const line = () => formatProgress({ done, total: this.total, unit: this.unit, count, seconds: this.seconds() });
    if (this.tty) {
      const now = Date.now();
      if (!last && now - this.lastDraw < REDRAW_MS) return;
      this.lastDraw = now;
      this.write(`\r${line()}${last ? "\n" : ""}`);
      this.open = !last;
      return;
    }
    const step = this.total === 0 ? 1 / LINE_EVERY : Math.floor(done / this.total / LINE_EVERY);
    if (step <= this.lastStep) return;
    this.lastStep = step;
    this.write(`${line()}\n`);
  }

  /** End a bar left open by a replay that stopped early, so the report starts on its own line. */
  end(): void {
    if (this.open) this.write("\n");
    this.open = false;
  }
}
