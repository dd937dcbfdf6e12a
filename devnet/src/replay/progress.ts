// Progress on stderr, at most a few lines per second: inputs done/total and inputs/s.

export class Progress {
  private readonly started = Date.now();
  private lastPrint = 0;

  constructor(private readonly total: number, write?: (line: string) => void) {
    this.write = write ?? ((l) => process.stderr.write(l));
  }

  private readonly write: (line: string) => void;

  rate(done: number): number {
    const seconds = (Date.now() - this.started) / 1000;
    return seconds > 0 ? done / seconds : done;
  }

  tick(done: number): void {
    const now = Date.now();
    if (done < this.total && now - this.lastPrint < 300) return;
    this.lastPrint = now;
    const width = 30;
    const filled = this.total === 0 ? width : Math.round((done / this.total) * width);
    this.write(`replay [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${this.total} inputs, ${this.rate(done).toFixed(1)} inputs/s\n`);
  }
}
