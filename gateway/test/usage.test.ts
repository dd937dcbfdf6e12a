// `lcore-gateway --help` as a user runs it: the defaults it prints are the ones the code
// uses, and the default port does not collide with the devnet node started beside it.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { DEFAULT_ANVIL_PORT, DEFAULT_API_PORT, DEFAULT_ROLLUP_HTTP_PORT } from "@lcore/devnet";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

describe("lcore-gateway --help", () => {
  it("prints the port the gateway listens on by default, which is none of the devnet's", async () => {
    const { stdout } = await run(process.execPath, [MAIN, "--help"]);
    const printed = Number(/LCORE_GW_PORT \((\d+)\)/.exec(stdout)?.[1]);
    const env = {
      LCORE_GW_OWNER_KEY: "33".repeat(32),
      LCORE_GW_OWNER_TOKEN: "t".repeat(20),
      LCORE_GW_SUBMITTER_KEY: "11".repeat(32),
      LCORE_GW_APP: `0x${"22".repeat(20)}`,
      LCORE_GW_CHAIN_ID: "1",
    };
    expect(printed).toBe(loadConfig(env).listen.port);
    expect([DEFAULT_API_PORT, DEFAULT_ROLLUP_HTTP_PORT, DEFAULT_ANVIL_PORT]).not.toContain(printed);
  });
});
