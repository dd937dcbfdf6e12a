// The Cartesi CLI, only to read cartesi.toml with its own parser (test/cartesiToml.test.ts).
// It is installed apart, in the cache beside the riscv64 runtime, not as a workspace
// dependency: it brings 130-odd packages, among them its own `npm` and `yarn`, which would
// otherwise land in node_modules/.bin and shadow the machine's npm inside every npm script.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** The newest CLI the npm registry offers for Rollups v2 (the later alphas are GitHub-only). */
export const CARTESI_CLI_VERSION = "2.0.0-alpha.2";
const SMOL_TOML_VERSION = "1.9.1";

/** The folder whose node_modules holds @cartesi/cli and smol-toml; installs them once per machine. */
export function ensureCartesiCli(log = (m) => process.stderr.write(`${m}\n`)) {
  const cache = process.env.LCORE_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "lcore");
  const dir = join(cache, `cartesi-cli-${CARTESI_CLI_VERSION}`);
  if (existsSync(join(dir, "node_modules", "@cartesi", "cli", "package.json"))) return dir;
  log(`installing @cartesi/cli ${CARTESI_CLI_VERSION} into ${dir} (once per machine, from the npm registry)…`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ private: true, type: "module" })}\n`);
  execFileSync(
    "npm",
    [
      "install",
      "--prefix",
      dir,
      "--no-package-lock",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      "--silent",
      `@cartesi/cli@${CARTESI_CLI_VERSION}`,
      `smol-toml@${SMOL_TOML_VERSION}`,
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  return dir;
}
