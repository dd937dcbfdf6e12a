#!/usr/bin/env node
// Builds the native secp256k1 verifier for this host: dapp's `install` script (and `build`, so
// an install with --ignore-scripts or a changed C file is caught up). libsecp256k1 is compiled
// from the C sources vendored in the npm package `secp256k1` (cryptocoinjs; its src/secp256k1
// is bitcoin-core/secp256k1), with 64-bit limbs and x86-64 assembly where the host has them.
//
// It never fails: without a compiler, Node's headers or the sources, or when the compile or the
// self-test fails, it prints one line saying why and that the WASM verifier will be used, and
// exits 0. The outcome is kept in build/<platform>-<arch>.json with a key of everything that
// went into it, so a second run with the same inputs does nothing (and says nothing, unless
// it had failed).
//
//   node native/build.mjs            build if needed
//   node native/build.mjs --force    build again

import { createRequire } from "node:module";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import {
  ADDON_SOURCE,
  BUILD_DIR,
  NATIVE_DIR,
  NativeBuildError,
  addonFileName,
  compileAddon,
  compilerCommand,
  compilerVersion,
  nodeApiIncludeDir,
  readJson,
  sha256,
} from "./compile.mjs";
import { loadNativeSecp256k1 } from "./index.js";

const PREFIX = "lcore dapp:";
const out = join(BUILD_DIR, addonFileName());
const statusFile = join(BUILD_DIR, `${process.platform}-${process.arch}.json`);
const force = process.argv.includes("--force");
const shown = (file) => relative(process.cwd(), file) || file;
const notBuilt = (reason) =>
  `${PREFIX} native secp256k1 verifier not built (${reason}); the dApp will use the WASM verifier (tiny-secp256k1): same rule, several times slower`;

/** libsecp256k1's configuration: the one its own build picks for this architecture. */
function libDefines(arch) {
  const common = [
    "USE_NUM_NONE=1",
    "USE_FIELD_INV_BUILTIN=1",
    "USE_SCALAR_INV_BUILTIN=1",
    "ECMULT_WINDOW_SIZE=15",
    "ECMULT_GEN_PREC_BITS=4",
    "USE_ENDOMORPHISM=1",
  ];
  if (arch === "x64")
    return [...common, "USE_ASM_X86_64=1", "USE_FIELD_5X52=1", "USE_SCALAR_4X64=1", "HAVE___INT128=1"];
  if (["arm64", "riscv64", "ppc64", "s390x", "loong64", "mips64el"].includes(arch)) {
    return [...common, "USE_FIELD_5X52=1", "USE_SCALAR_4X64=1", "HAVE___INT128=1"];
  }
  return [...common, "USE_FIELD_10X26=1", "USE_SCALAR_8X32=1"];
}

function librarySources() {
  let pkgJson;
  try {
    pkgJson = createRequire(join(NATIVE_DIR, "..", "package.json")).resolve("secp256k1/package.json");
  } catch {
    throw new NativeBuildError("the npm package `secp256k1` (libsecp256k1's C sources) is not installed");
  }
  const root = join(dirname(pkgJson), "src", "secp256k1");
  const source = join(root, "src", "secp256k1.c");
  const header = join(root, "include", "secp256k1.h");
  if (!existsSync(source) || !existsSync(header))
    throw new NativeBuildError(`libsecp256k1's sources are not in ${root}`);
  const version = JSON.parse(readFileSync(pkgJson, "utf8")).version;
  return { root, source, include: join(root, "include"), version, hash: sha256(readFileSync(source)) };
}

function build() {
  if (process.platform !== "linux")
    throw new NativeBuildError(`building on ${process.platform} is not supported (Linux only)`);
  const cc = compilerCommand(process.env.CC || "cc");
  const lib = librarySources();
  const nodeInclude = nodeApiIncludeDir();
  const compiler = compilerVersion(cc);
  const defines = libDefines(process.arch);
  const key = sha256(
    JSON.stringify({
      addon: sha256(readFileSync(ADDON_SOURCE)),
      compile: sha256(readFileSync(join(NATIVE_DIR, "compile.mjs"))),
      build: sha256(readFileSync(new URL(import.meta.url))),
      lib: lib.hash,
      defines,
      cc: cc.label,
      compiler,
      nodeInclude,
      arch: process.arch,
    }),
  );
  const previous = readJson(statusFile);
  if (!force && previous?.key === key && (previous.ok ? existsSync(out) : true)) return { key, previous };
  const sourceLabel = `libsecp256k1 from npm secp256k1@${lib.version} (src/secp256k1), ${process.arch}`;
  try {
    compileAddon({
      cc,
      work: join(BUILD_DIR, `work-${process.arch}`),
      out,
      nodeInclude,
      secpInclude: lib.include,
      sourceLabel,
      libSources: [lib.source],
      libDefines: defines,
      libIncludes: [lib.root, join(lib.root, "src")],
    });
  } catch (err) {
    if (err instanceof NativeBuildError) return { key, failed: err.message };
    throw err;
  }
  return { key, built: sourceLabel };
}

function main() {
  mkdirSync(BUILD_DIR, { recursive: true });
  let outcome;
  try {
    outcome = build();
  } catch (err) {
    outcome = {
      key: undefined,
      failed: err instanceof NativeBuildError ? err.message : `unexpected: ${String(err?.stack ?? err).split("\n")[0]}`,
    };
  }
  if (outcome.previous) {
    // Up to date: quiet when it worked, the same one line when it did not.
    if (!outcome.previous.ok) process.stderr.write(`${notBuilt(outcome.previous.reason)}\n`);
    return;
  }
  if (outcome.built) {
    // Loaded here, in this Node, through the dApp's own loader (which runs its self-test).
    const load = loadNativeSecp256k1({ env: { LCORE_NATIVE_SECP256K1: out } });
    if (load.verifier === undefined) outcome = { key: outcome.key, failed: load.reason };
  }
  if (outcome.failed) {
    rmSync(out, { force: true });
    writeFileSync(statusFile, `${JSON.stringify({ key: outcome.key, ok: false, reason: outcome.failed }, null, 2)}\n`);
    process.stderr.write(`${notBuilt(outcome.failed)}\n`);
    return;
  }
  writeFileSync(
    statusFile,
    `${JSON.stringify({ key: outcome.key, ok: true, file: addonFileName(), source: outcome.built }, null, 2)}\n`,
  );
  process.stderr.write(`${PREFIX} native secp256k1 verifier built: ${shown(out)} (${outcome.built})\n`);
}

main();
