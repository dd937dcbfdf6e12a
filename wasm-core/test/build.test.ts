// The AssemblyScript build is clean: every build (npm install, npm test) would otherwise
// print its warnings to every user, and a warning such as AS201 (a usize narrowed to i32)
// is a portability bug waiting for wasm64.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const PACKAGE = fileURLToPath(new URL("..", import.meta.url));

describe("the wasm-core build", () => {
  it("compiles with no warning", async () => {
    const { stdout, stderr } = await run(
      "npx",
      ["asc", "assembly/index.ts", "--config", "asconfig.json", "--target", "release", "--noEmit"],
      { cwd: PACKAGE },
    );
    expect(`${stdout}${stderr}`).not.toMatch(/WARNING|ERROR/);
  }, 60_000);
});
