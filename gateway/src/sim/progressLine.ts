// The simulator's progress on stderr. On a terminal one line is redrawn in place; anywhere
// else (a pipe, a log file, `npm start -- --simulate` under a supervisor) a plain line is
// written every few seconds and at each change of phase, so a log shows progress without
// carriage returns smearing it.
import type { SimProgress } from "./run.js";

/** sent, 202s, refusals and the send rate so far, in one line. */
export function progressLine(p: SimProgress): string {
  const perSecond = p.elapsedS > 0 ? (p.sent / p.elapsedS).toFixed(1) : "0.0";
  const follow = p.phase === "following" ? `  verdicts ${p.followed ?? 0}/${p.accepted}` : "";
  return `${p.phase.padEnd(11)} ${p.elapsedS.toFixed(0).padStart(5)} s  sent ${p.sent}  accepted ${p.accepted}  refused ${p.rejected}  ${perSecond}/s${follow}`;
}

export interface ProgressWriter {
  update(p: SimProgress): void;
  /** Ends the redrawn line (a terminal) or writes the last plain line. */
  end(p: SimProgress): void;
}

export function progressWriter(out: { write(s: string): unknown }, tty: boolean, plainEveryS = 5): ProgressWriter {
  if (tty) {
    return {
      update: (p) => out.write(`\r\x1b[K${progressLine(p)}`),
      end: (p) => out.write(`\r\x1b[K${progressLine(p)}\n`),
    };
  }
  let lastAt = Number.NEGATIVE_INFINITY;
  let lastPhase: SimProgress["phase"] | undefined;
  return {
    update: (p) => {
      if (p.phase === lastPhase && p.elapsedS - lastAt < plainEveryS) return;
      lastAt = p.elapsedS;
      lastPhase = p.phase;
      out.write(`lcore-sim: ${progressLine(p)}\n`);
    },
    end: (p) => out.write(`lcore-sim: ${progressLine(p)}\n`),
  };
}
