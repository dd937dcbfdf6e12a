// The dApp's layout (README, Layout): every relative import of src/ points down this
// list — the entry points, app/, the features, then the floor — or stays in its folder.
// So no feature imports one above it, the floor imports no feature, and nothing circles.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../src", import.meta.url));
const ORDER = [
  ".",
  "app", // main.ts and index.ts; the Dapp and its dispatch
  "deposits",
  "bounties",
  "wallet",
  "disclosure",
  "records",
  "settlement",
  "submitters",
  "devices", // features
  "context",
  "state",
  "rollup",
  "crypto", // the floor
];

function* sources(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) yield* sources(join(dir, e.name));
    else if (e.name.endsWith(".ts")) yield join(dir, e.name);
  }
}

describe("layout", () => {
  it("every folder of src/ has its place, and every import points down or stays in its folder", () => {
    const upward: string[] = [];
    for (const file of sources(SRC)) {
      const from = dirname(relative(SRC, file));
      expect(ORDER, `${from}/ is not in the layout`).toContain(from);
      for (const [, spec] of readFileSync(file, "utf8").matchAll(/from "(\.{1,2}\/[^"]+)"/g)) {
        const to = dirname(relative(SRC, join(dirname(file), spec!)));
        if (to !== from && ORDER.indexOf(to) <= ORDER.indexOf(from))
          upward.push(`${relative(SRC, file)} imports ${spec}`);
      }
    }
    expect(upward).toEqual([]);
  });
});
