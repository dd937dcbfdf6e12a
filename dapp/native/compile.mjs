// Compiling secp256k1_addon.c into a .node, shared by build.mjs (the host, at npm install) and
// build-riscv64.mjs (cross-compiled against Debian's riscv64 libsecp256k1). Plain gcc/cc
// invocations, no node-gyp: the wrapper is one C file over Node-API's headers, which are
// header-only and ABI-stable, and the .node resolves napi_* from the Node that loads it.

import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export { addonFileName } from "./index.js";

export const NATIVE_DIR = dirname(fileURLToPath(import.meta.url));
export const ADDON_SOURCE = join(NATIVE_DIR, "secp256k1_addon.c");
export const BUILD_DIR = join(NATIVE_DIR, "build");

/** A one-line message for an expected failure (no compiler, no sources, a failed compile). */
export class NativeBuildError extends Error {
  name = "NativeBuildError";
}

export const sha256 = (data) => createHash("sha256").update(data).digest("hex");

/** The folder holding node_api.h: npm's nodedir, the running Node's prefix, the distro's, or node-gyp's cache. */
export function nodeApiIncludeDir(env = process.env) {
  const candidates = [
    env.npm_config_nodedir && join(env.npm_config_nodedir, "include", "node"),
    join(dirname(dirname(process.execPath)), "include", "node"),
    "/usr/include/node",
    "/usr/local/include/node",
    join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "node-gyp", process.versions.node, "include", "node"),
    join(homedir(), ".node-gyp", process.versions.node, "include", "node"),
  ].filter(Boolean);
  const found = candidates.find((dir) => existsSync(join(dir, "node_api.h")));
  if (!found) throw new NativeBuildError(`Node's headers (node_api.h) were not found in ${candidates.join(", ")}`);
  return found;
}

/** $CC as a command: a program and the arguments that come with it ("ccache gcc", "gcc -m64"). */
export function compilerCommand(value) {
  const [program, ...args] = value.trim().split(/\s+/);
  return { program, args, label: value.trim() };
}

/** Checks that `cc` (a compilerCommand) runs at all; returns its first --version line. */
export function compilerVersion(command) {
  const cc = command.label;
  const run = spawnSync(command.program, [...command.args, "--version"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (run.error && run.error.code === "ENOENT")
    throw new NativeBuildError(`no C compiler: \`${command.program}\` is not on PATH (set CC or install gcc)`);
  if (run.error) throw new NativeBuildError(`the C compiler \`${cc}\` cannot run: ${run.error.message}`);
  if (run.status !== 0)
    throw new NativeBuildError(
      `the C compiler \`${cc}\` does not run (\`${cc} --version\` exited ${run.status ?? run.signal})`,
    );
  return (run.stdout.split("\n")[0] ?? "").trim();
}

function run(command, args) {
  const cc = command.label;
  try {
    execFileSync(command.program, [...command.args, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const stderr = String(err.stderr ?? "")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("collect2"));
    const first =
      stderr.find((l) => /error|undefined reference|can not be used|cannot find/i.test(l)) ??
      stderr[0] ??
      String(err.message).split("\n")[0];
    throw new NativeBuildError(`\`${cc}\` failed: ${first}`);
  }
}

/**
 * Compiles the wrapper (and the libsecp256k1 sources given, or links the static archive given)
 * into `out`. Only the Node-API entry points are exported: libsecp256k1's own symbols stay
 * local, so no other copy of the library in the process (the gateway's `secp256k1` package,
 * say) can be bound in their place.
 */
export function compileAddon({
  cc,
  work,
  out,
  nodeInclude,
  secpInclude,
  sourceLabel,
  libSources = [],
  libDefines = [],
  libIncludes = [],
  libArchive,
  extraCflags = [],
}) {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const common = ["-O2", "-fPIC", "-fvisibility=hidden", ...extraCflags];
  const objects = [];
  libSources.forEach((source, i) => {
    const obj = join(work, `lib${i}.o`);
    // libsecp256k1's own warnings are its business; the wrapper below is built with -Wall.
    run(cc, [
      ...common,
      "-w",
      ...libDefines.map((d) => `-D${d}`),
      ...libIncludes.flatMap((d) => ["-I", d]),
      "-c",
      source,
      "-o",
      obj,
    ]);
    objects.push(obj);
  });
  const wrapper = join(work, "secp256k1_addon.o");
  run(cc, [
    ...common,
    "-Wall",
    "-Wextra",
    "-Werror=implicit-function-declaration",
    `-DLCORE_SECP256K1_SOURCE=${JSON.stringify(sourceLabel)}`,
    "-I",
    secpInclude,
    "-I",
    nodeInclude,
    "-c",
    ADDON_SOURCE,
    "-o",
    wrapper,
  ]);
  const exportsMap = join(work, "exports.map");
  writeFileSync(
    exportsMap,
    "{\n  global: napi_register_module_v1; node_api_module_get_api_version_v1;\n  local: *;\n};\n",
  );
  const tmp = join(work, "addon.node");
  run(cc, [
    "-shared",
    "-o",
    tmp,
    wrapper,
    ...objects,
    ...(libArchive ? [libArchive] : []),
    `-Wl,--version-script=${exportsMap}`,
    "-Wl,-O1",
    "-Wl,--as-needed",
    "-s",
  ]);
  mkdirSync(dirname(out), { recursive: true });
  renameSync(tmp, out);
  rmSync(work, { recursive: true, force: true });
  return out;
}

export function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}
