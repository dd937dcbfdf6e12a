// An anvil of the test's own, for tests that attach the devnet to it (startDevnet's rpcUrl) and
// so can put a proxy between the node and the chain. `--slots-in-an-epoch 1` makes its
// `finalized` tag trail the latest block by two blocks, so finality comes within seconds
// whatever confidence the node reads at.

import { spawn } from "node:child_process";
import { anvilBinaryPath } from "@lcore/devnet";
import type { Cleanup } from "./tempDir.js";

export async function ownAnvil(cleanups: Cleanup[], blockTime = 1): Promise<string> {
  const child = spawn(
    anvilBinaryPath(),
    ["--port", "0", "--block-time", String(blockTime), "--mixed-mining", "--slots-in-an-epoch", "1"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = new Promise((resolve) => child.once("exit", resolve));
  cleanups.push(async () => {
    child.kill("SIGKILL");
    await exited;
  });
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("anvil did not start")), 20_000);
    const onData = (chunk: Buffer) => {
      const match = /Listening on (\S+)/.exec(chunk.toString("utf8"));
      if (match === null) return;
      clearTimeout(timer);
      resolve(`http://${match[1]}`);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", () => {});
  });
}
