// The package as other code sees it: the built ESM entry in a plain Node process, and
// a single-file esbuild bundle (how the dApp ships into the Cartesi machine).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "wasm-core-packaging-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Computes with every family of primitive and prints the results as hex.
const program = (specifier: string) => `
import * as core from ${JSON.stringify(specifier)};
const enc = new TextEncoder();
const k = new Uint8Array(32).fill(9), n = new Uint8Array(12).fill(4), m = enc.encode("lcore packaging");
const hex = (b) => Buffer.from(b).toString("hex");
console.log(JSON.stringify({
  sha256: hex(core.sha256(m)),
  keccak256: hex(core.keccak256(m)),
  hkdf: hex(core.hkdfSha256(k, m, m, 42)),
  sealed: hex(core.chacha20Poly1305Seal(k, n, core.aes256GcmSeal(k, n, m, m), m)),
}));
`;

// Independent references for two of the values.
const message = Buffer.from("lcore packaging");
const reference = {
  sha256: createHash("sha256").update(message).digest("hex"),
  keccak256: Buffer.from(keccak_256(message)).toString("hex"),
};

describe("packaging", () => {
  let fromDist: Record<string, string> = {};

  it("works from the built ESM entry in a plain Node process", () => {
    const file = join(work, "dist-entry.mjs");
    writeFileSync(file, program(join(packageDir, "dist/index.js")));
    fromDist = JSON.parse(execFileSync(process.execPath, [file], { encoding: "utf8" }));
    expect(fromDist).toMatchObject(reference);
    // body (15) plus the two 16-byte tags, in hex.
    expect(fromDist.sealed).toHaveLength(2 * (15 + 32));
  });

  it("survives a single-file esbuild bundle and computes the same bytes", async () => {
    const entry = join(work, "bundle-entry.mjs");
    const outfile = join(work, "bundle.mjs");
    writeFileSync(entry, program(join(packageDir, "src/index.ts")));
    await build({ entryPoints: [entry], outfile, bundle: true, platform: "node", format: "esm", logLevel: "silent" });
    const fromBundle = JSON.parse(execFileSync(process.execPath, [outfile], { encoding: "utf8" }));
    expect(fromBundle).toEqual(fromDist);
    expect(fromBundle).toMatchObject(reference);
  });
});
