#!/usr/bin/env node
// Builds the native secp256k1 verifier for riscv64 (`npm run build-native-riscv64 -w dapp`):
// the same secp256k1_addon.c, cross-compiled with Debian's riscv64 gcc and linked statically
// with Debian trixie's riscv64 libsecp256k1 (libsecp256k1-dev's libsecp256k1.a, 0.5.0), against
// the Node-API headers of trixie's own Node (libnode-dev, the runtime the dApp runs on). Both
// packages come from deb.debian.org along the archive's chain of trust, with the functions
// devnet's riscv64 runtime uses (InRelease checked by gpgv → Packages SHA-256 → each .deb's
// SHA-256), and are kept in the same cache ($LCORE_CACHE_DIR or ~/.cache/lcore), in
// riscv64-native-<hash of the pins>/; a second run downloads nothing.
//
// The cross compiler is the host's `riscv64-linux-gnu-gcc` (Debian's gcc-riscv64-linux-gnu,
// installed with apt-get when missing and running as root; $RISCV64_CC overrides it). The
// result, build/lcore_secp256k1-linux-riscv64.node, is then loaded and checked on trixie's
// riscv64 Node under qemu-user (check.mjs: every Wycheproof vector, edge cases and random
// signatures against the WASM verifier in that same Node). Exits non-zero when any of it fails.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import {
  BUILD_DIR,
  NATIVE_DIR,
  NativeBuildError,
  addonFileName,
  compileAddon,
  compilerCommand,
  compilerVersion,
  sha256,
} from "./compile.mjs";

const SUITE = "trixie";
const ARCH = "riscv64";
const PACKAGES = ["libsecp256k1-dev", "libnode-dev"];
const CROSS_PACKAGE = "gcc-riscv64-linux-gnu";
const log = (line) => process.stderr.write(`riscv64 native: ${line}\n`);

/**
 * devnet's riscv64 runtime: its index exports fetchRiscv64Runtime and friends; packagesIndex
 * and fetchDebs (the chain-of-trust download) live in the same module and are taken from it
 * when the index does not export them.
 */
async function devnetRuntime() {
  const devnet = await import("@lcore/devnet");
  if (typeof devnet.packagesIndex === "function" && typeof devnet.fetchDebs === "function") return devnet;
  const runtimeModule = new URL("./riscv64/runtime.js", import.meta.resolve("@lcore/devnet"));
  let runtime;
  try {
    runtime = await import(runtimeModule.href);
  } catch (err) {
    throw new NativeBuildError(
      `@lcore/devnet exports no packagesIndex/fetchDebs and ${runtimeModule.pathname} does not load (${err.message}); is devnet built?`,
    );
  }
  return { ...devnet, packagesIndex: runtime.packagesIndex, fetchDebs: runtime.fetchDebs };
}

/** trixie's riscv64 libsecp256k1-dev and libnode-dev, extracted (headers and the static library only are used). */
async function fetchSdk(devnet) {
  const pins = JSON.stringify({ layout: 1, suite: SUITE, arch: ARCH, packages: PACKAGES });
  const dir = join(devnet.cacheBase(), `riscv64-native-${sha256(pins).slice(0, 12)}`);
  const root = join(dir, "root");
  const complete = join(dir, "sdk.complete");
  if (existsSync(complete)) {
    log(`reusing ${dir}`);
    return { dir, root, manifest: readFileSync(complete, "utf8") };
  }
  const work = join(dir, "work");
  const partial = join(dir, "root.partial");
  rmSync(work, { recursive: true, force: true });
  rmSync(partial, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  mkdirSync(partial, { recursive: true });
  log(`fetching ${PACKAGES.join(", ")} for ${ARCH} from Debian ${SUITE} into ${dir}`);
  const index = await devnet.packagesIndex(SUITE, ARCH, work, log);
  // The packages themselves, not their dependency closures: only their headers and libsecp256k1.a are used.
  const entries = PACKAGES.map((name) => {
    const entry = index.get(name);
    if (!entry) throw new NativeBuildError(`${name} is not in ${SUITE}'s ${ARCH} index`);
    return entry;
  });
  await devnet.fetchDebs(entries, partial, work, log);
  const manifest = entries.map((e) => `${e.filename} ${e.sha256}\n`).join("");
  renameSync(partial, root);
  writeFileSync(complete, manifest);
  rmSync(work, { recursive: true, force: true });
  return { dir, root, manifest };
}

/** The cross compiler, installed from Debian with apt-get when missing (as root). */
function crossCompiler() {
  const cc = compilerCommand(process.env.RISCV64_CC || "riscv64-linux-gnu-gcc");
  try {
    return { cc, version: compilerVersion(cc) };
  } catch (err) {
    if (process.env.RISCV64_CC || typeof process.getuid !== "function" || process.getuid() !== 0) {
      throw new NativeBuildError(`${err.message}; install it with: apt-get install ${CROSS_PACKAGE}`);
    }
  }
  log(`installing Debian's ${CROSS_PACKAGE} with apt-get (once per machine)`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: ["ignore", "ignore", "inherit"], env });
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", CROSS_PACKAGE], {
    stdio: ["ignore", "ignore", "inherit"],
    env,
  });
  return { cc, version: compilerVersion(cc) };
}

async function main() {
  const devnet = await devnetRuntime();
  const sdk = await fetchSdk(devnet);
  const archive = join(sdk.root, "usr", "lib", "riscv64-linux-gnu", "libsecp256k1.a");
  const secpInclude = join(sdk.root, "usr", "include");
  const nodeInclude = join(sdk.root, "usr", "include", "node");
  for (const file of [archive, join(secpInclude, "secp256k1.h"), join(nodeInclude, "node_api.h")]) {
    if (!existsSync(file)) throw new NativeBuildError(`${file} is not in the extracted packages`);
  }
  const version = /libsecp256k1-dev_([^_]+)_/.exec(sdk.manifest)?.[1] ?? "?";
  const { cc, version: ccVersion } = crossCompiler();
  const out = join(BUILD_DIR, addonFileName("linux", "riscv64"));
  const sourceLabel = `libsecp256k1 ${version.split("-")[0]} (Debian ${SUITE} riscv64 libsecp256k1-dev ${version}, libsecp256k1.a), riscv64`;
  log(`compiling with ${ccVersion}`);
  compileAddon({
    cc,
    work: join(BUILD_DIR, "work-riscv64"),
    out,
    nodeInclude,
    secpInclude,
    sourceLabel,
    libArchive: archive,
  });
  writeFileSync(
    join(BUILD_DIR, "linux-riscv64.json"),
    `${JSON.stringify({ ok: true, file: addonFileName("linux", "riscv64"), source: sourceLabel, debs: sdk.manifest.trim().split("\n"), compiler: ccVersion }, null, 2)}\n`,
  );
  log(`built ${relative(process.cwd(), out)} (${sourceLabel})`);

  // Load and check it where it will run: trixie's riscv64 Node, under qemu-user.
  const runtime = await devnet.fetchRiscv64Runtime({ log });
  const [command, ...args] = devnet.riscv64NodeCommand(runtime, [join(NATIVE_DIR, "check.mjs")]);
  log(`checking it on riscv64 Node: ${[command, ...args].join(" ")}`);
  const check = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, LCORE_NATIVE_SECP256K1: out } });
  if (check.status !== 0)
    throw new NativeBuildError(`the riscv64 agreement check failed (exit ${check.status ?? check.signal})`);
}

main().catch((err) => {
  process.stderr.write(
    `riscv64 native: ${err instanceof NativeBuildError || err?.name === "RuntimeFetchError" ? err.message : (err?.stack ?? err)}\n`,
  );
  process.exit(1);
});
