// A stranger's first minutes: a fresh clone, one `npm ci`, then every command the README and
// `npm start`'s walkthrough print. The rest of the suite imports the same code as functions,
// so only this test sees what a person sees: bins linked (or not) by the first install,
// engine warnings, a build that `prepare` did (or did not) run.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ESM script without type declarations
import { ROOT } from "../scripts/stack.mjs";

const run = promisify(execFile);
const parent = mkdtempSync(join(tmpdir(), "lcore-clone-"));
const clone = join(parent, "lcore");
let install = "";

beforeAll(async () => {
  // The committed tree only (HEAD), as `git clone` of the repository gives it.
  await run("git", ["clone", "--quiet", "--no-hardlinks", ROOT, clone]);
  const r = await run("npm", ["ci", "--no-audit", "--no-fund"], {
    cwd: clone,
    maxBuffer: 64 << 20,
    env: { ...process.env, npm_config_loglevel: "warn" },
  });
  install = `${r.stdout}\n${r.stderr}`;
}, 600_000);
afterAll(() => rmSync(parent, { recursive: true, force: true }));

/** Run a command in the clone as a shell user would type it. */
async function inClone(command: string[]) {
  const [file, ...args] = command;
  const r = await run(file!, args, { cwd: clone, timeout: 60_000 });
  return `${r.stdout}${r.stderr}`;
}

describe("a fresh clone after one npm ci", () => {
  it("installs without engine warnings for the Node version the README promises", () => {
    expect(install).not.toContain("EBADENGINE");
  });

  it.each([
    [["npx", "lcore", "--help"], "lcore decode HEX"],
    [["npx", "lcore", "replay", "--help"], "usage: lcore replay --rpc URL --application ADDRESS"],
    [["npx", "lcore", "decode", "--help"], "usage: lcore decode HEX"],
    [["npx", "lcore", "migrate", "--help"], "usage: lcore migrate --from MVP.db"],
    [["npx", "lcore-devnet", "--help"], "usage: lcore-devnet [options]"],
    [["npx", "lcore-sim", "--help"], "readings per second for the whole fleet, not per device"],
    [["npx", "lcore-gateway", "--help"], "usage: lcore-gateway"],
    [["npx", "lcore-migrate", "--help"], "usage: lcore migrate --from MVP.db"],
    [["npx", "lcore-dapp", "--help"], "usage: lcore-dapp"],
    [["npm", "start", "--", "--help"], "usage: npm start -- [--simulate] [--fresh]"],
  ])("%j works", async (command, usage) => {
    expect(await inClone(command)).toContain(usage);
  });
});
