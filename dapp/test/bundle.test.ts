// The esbuild bundle runs on its own: copied outside the repository (no node_modules to
// fall back on), it gives the same answers as dist/main.js.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { toHex } from "@lcore/protocol/bytes";
// @ts-expect-error: a plain .mjs script without declarations
import { bundle } from "../scripts/bundle.mjs";
import { startDappProcess } from "./process.js";
import { type Step, workload } from "./workload.js";

const dir = mkdtempSync(join(tmpdir(), "lcore-dapp-bundle-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function drive(command: string[] | undefined, steps: Step[]) {
  const running = await startDappProcess(command);
  try {
    return await Promise.all(
      steps.map((s) =>
        s.type === "advance"
          ? running.server.advance(s.metadata, toHex(s.payload))
          : running.server.inspect(toHex(s.payload)),
      ),
    );
  } finally {
    await running.stop();
  }
}

describe("bundle", () => {
  it("is one .mjs plus sql-wasm.wasm and secp256k1.wasm, and answers exactly like dist/main.js", async () => {
    const files = (await bundle(dir)) as { file: string; bytes: number }[];
    expect(files.map((f) => f.file)).toEqual(["dapp.mjs", "sql-wasm.wasm", "secp256k1.wasm"]);
    const steps = workload(150, 11);
    const [fromBundle, fromDist] = await Promise.all([
      drive([process.execPath, join(dir, "dapp.mjs")], steps),
      drive(undefined, steps),
    ]);
    expect(fromBundle.filter((r) => r.status === "ACCEPTED").length).toBeGreaterThan(50);
    expect(fromBundle).toEqual(fromDist);
  });
});
