// The esbuild bundle runs on its own: copied outside the repository (no node_modules to
// fall back on), it gives the same answers as dist/main.js.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { nativeSecp256k1 } from "@lcore/dapp";
import { toHex } from "@lcore/protocol/bytes";
// @ts-expect-error: a plain .mjs script without declarations
import { bundle } from "../scripts/bundle.mjs";
import { startDappProcess } from "./process.js";
import { type Step, workload } from "./workload.js";

const dir = mkdtempSync(join(tmpdir(), "lcore-dapp-bundle-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function drive(command: string[] | undefined, steps: Step[], env: Record<string, string> = {}) {
  const running = await startDappProcess(command, env);
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
  it("is one .mjs plus sql-wasm.wasm, secp256k1.wasm and the native verifiers built, and answers exactly like dist/main.js", async () => {
    const files = (await bundle(dir)) as { file: string; bytes: number }[];
    const names = files.map((f) => f.file);
    expect(names.slice(0, 3)).toEqual(["dapp.mjs", "sql-wasm.wasm", "secp256k1.wasm"]);
    for (const extra of names.slice(3)) expect(extra).toMatch(/^lcore_secp256k1-linux-(x64|riscv64)\.node$/);
    const steps = workload(150, 11);
    const [fromBundle, fromDist] = await Promise.all([
      drive([process.execPath, join(dir, "dapp.mjs")], steps),
      drive(undefined, steps),
    ]);
    expect(fromBundle.filter((r) => r.status === "ACCEPTED").length).toBeGreaterThan(50);
    expect(fromBundle).toEqual(fromDist);
  });

  it("answers the same with the WASM verifier as with the native one (a shadow of the two implementations)", async () => {
    expect(nativeSecp256k1.reason, "the native verifier did not load; `npm install` says why").toBeUndefined();
    const steps = workload(150, 23);
    const [wasm, native] = await Promise.all([
      drive(undefined, steps, { LCORE_DISABLE_NATIVE: "1" }),
      drive(undefined, steps, { LCORE_REQUIRE_NATIVE: "1" }),
    ]);
    expect(native.filter((r) => r.status === "ACCEPTED").length).toBeGreaterThan(50);
    expect(native).toEqual(wasm);
  });
});
