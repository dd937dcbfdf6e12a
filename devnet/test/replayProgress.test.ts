// The progress line of a replay: inputs done/total, a rate and the time left, a line per tenth
// off a terminal and one bar redrawn in place on it.

import { describe, expect, it } from "vitest";
import { Progress, formatDuration, formatProgress } from "../src/replay/progress.js";

describe("replay progress", () => {
  it("formats inputs done/total, the rate of what the checks count (or of inputs) and the time left", () => {
    expect(formatProgress({ done: 10, total: 40, unit: "records", count: 700, seconds: 2 })).toBe(
      `replay [########${".".repeat(22)}] 10/40 inputs, 350.0 records/s, ETA 6s`,
    );
    expect(formatProgress({ done: 40, total: 40, unit: "records", count: 700, seconds: 4 })).toBe(
      `replay [${"#".repeat(30)}] 40/40 inputs, 175.0 records/s, done`,
    );
    expect(formatProgress({ done: 0, total: 40, unit: "records", count: 0, seconds: 0 })).toBe(
      `replay [${".".repeat(30)}] 0/40 inputs, 0.0 records/s, ETA ?`,
    );
    expect(formatProgress({ done: 20, total: 40, unit: "inputs", count: 20, seconds: 4 })).toBe(
      `replay [${"#".repeat(15)}${".".repeat(15)}] 20/40 inputs, 5.0 inputs/s, ETA 4s`,
    );
    expect([formatDuration(59.4), formatDuration(187), formatDuration(7500), formatDuration(Number.NaN)]).toEqual([
      "59s",
      "3m07s",
      "2h05m",
      "?",
    ]);
  });

  it("off a terminal prints a line per tenth of the inputs; on one redraws a single line in place", () => {
    const lines: string[] = [];
    const plain = new Progress(100, (t) => lines.push(t), false, "records");
    for (let done = 1; done <= 100; done++) plain.tick(done, done * 2);
    expect(lines).toHaveLength(11); // the first input, then each tenth
    expect(lines.every((l) => l.endsWith("\n") && !l.includes("\r"))).toBe(true);
    expect(lines.at(-1)).toMatch(/^replay \[#{30}\] 100\/100 inputs, .* records\/s, done\n$/);

    const drawn: string[] = [];
    const tty = new Progress(3, (t) => drawn.push(t), true, "records");
    tty.tick(1, 5);
    tty.tick(3, 15);
    expect(drawn[0]).toMatch(/^\rreplay \[#{10}\.{20}\] 1\/3 inputs, /);
    expect(drawn.at(-1)).toMatch(/^\rreplay \[#{30}\] 3\/3 inputs, .* done\n$/);
    expect(drawn.slice(0, -1).every((d) => !d.includes("\n"))).toBe(true);

    // A replay that stops early (a divergence) ends the open bar's line.
    const stopped: string[] = [];
    const early = new Progress(3, (t) => stopped.push(t), true);
    early.tick(1, 5);
    early.end();
    early.end();
    expect(stopped).toEqual([expect.stringMatching(/^\rreplay .* 1\/3 inputs, /), "\n"]);
  });
});
