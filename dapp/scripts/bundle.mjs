#!/usr/bin/env node
// `npm run bundle -w dapp`: the dApp as one ES module file for the Cartesi machine,
// dist-bundle/dapp.mjs, plus the two .wasm files it reads at start-up from beside
// itself: sql-wasm.wasm (sql.js) and secp256k1.wasm (tiny-secp256k1). wasm-core's
// module is embedded in the bundle. The machine then needs only `node dapp.mjs`.

import { copyFileSync, existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { addonFileName } from "../native/index.js";

const NATIVE_ARCHES = ["x64", "riscv64"];

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const require = createRequire(import.meta.url);

/** CommonJS dependencies (sql.js) expect require, __filename and __dirname, which an ES module lacks. */
const BANNER = [
  'import { createRequire as __lcoreCreateRequire } from "node:module";',
  'import { fileURLToPath as __lcoreFileURLToPath } from "node:url";',
  "const require = __lcoreCreateRequire(import.meta.url);",
  "const __filename = __lcoreFileURLToPath(import.meta.url);",
  'const __dirname = __lcoreFileURLToPath(new URL(".", import.meta.url));',
].join("\n");

export const WASM_ASSETS = {
  "sql-wasm.wasm": () => require.resolve("sql.js/dist/sql-wasm.wasm"),
  "secp256k1.wasm": () => join(require.resolve("tiny-secp256k1").replace(/cjs[/\\]index\.cjs$/, ""), "secp256k1.wasm"),
};

/** Bundle into `outdir`; returns the files written with their sizes. */
export async function bundle(outdir = here("../dist-bundle")) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: [here("../src/main.ts")],
    outfile: join(outdir, "dapp.mjs"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    banner: { js: BANNER },
    legalComments: "eof",
    logLevel: "warning",
  });
  for (const [name, locate] of Object.entries(WASM_ASSETS)) copyFileSync(locate(), join(outdir, name));
  // The native verifier's builds that exist (x86-64 from `npm install`, riscv64 from
  // `npm run build-native-riscv64 -w dapp`) go beside the bundle, where its loader looks first;
  // without one for the machine's arch the dApp says so and verifies in WASM.
  const natives = NATIVE_ARCHES.map((arch) => addonFileName("linux", arch)).filter((f) =>
    existsSync(here(`../native/build/${f}`)),
  );
  for (const f of natives) copyFileSync(here(`../native/build/${f}`), join(outdir, f));
  return ["dapp.mjs", ...Object.keys(WASM_ASSETS), ...natives].map((f) => ({
    file: f,
    bytes: statSync(join(outdir, f)).size,
  }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = await bundle();
  for (const f of files) console.log(`dist-bundle/${f.file.padEnd(16)} ${(f.bytes / 1024).toFixed(0).padStart(6)} KiB`);
}
