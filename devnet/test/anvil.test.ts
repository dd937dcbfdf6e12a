// anvil restarted from its saved state keeps the chain's clock monotonic (DESIGN §8 "Time"):
// anvil itself restarts at wall time and forgets evm_increaseTime, so a chain whose clock
// was moved forward (the walkthrough's step 5) went back after a restart.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Anvil, restartTimestamp, startAnvil } from "../src/anvil.js";
import { rpcResult, tempDir } from "./helpers.js";

const dirs: ReturnType<typeof tempDir>[] = [];
const anvils: Anvil[] = [];
afterEach(async () => {
  for (const a of anvils.splice(0)) await a.stop();
  for (const d of dirs.splice(0)) d.remove();
});

const block = async (url: string, tag: string) => {
  const b = await rpcResult<{ number: string; timestamp: string }>(url, "eth_getBlockByNumber", [tag, false]);
  return { number: BigInt(b.number), timestamp: BigInt(b.timestamp) };
};

describe("anvil's clock across restarts", () => {
  it("restartTimestamp: one second after the last saved block when that is ahead of wall time, else nothing", () => {
    const dir = tempDir("anvil-clock");
    dirs.push(dir);
    const path = join(dir.path, "state.json");
    expect(restartTimestamp(path, 1_000)).toBeUndefined(); // nothing saved: a new chain
    writeFileSync(
      path,
      JSON.stringify({
        block: { timestamp: "0x7d0" },
        blocks: [{ header: { timestamp: "0x3e8" } }, { header: { timestamp: "0xbb8" } }],
      }),
    );
    expect(restartTimestamp(path, 1_000)).toBe(3_001n); // the newest block, not the last listed
    expect(restartTimestamp(path, 3_000.5)).toBe(3_001n);
    expect(restartTimestamp(path, 3_001)).toBeUndefined(); // wall time has caught up
    writeFileSync(path, "{ not json");
    expect(restartTimestamp(path, 1_000)).toBeUndefined();
  });

  it("a chain moved an hour ahead and restarted from its state does not go back", async () => {
    const dir = tempDir("anvil-clock");
    dirs.push(dir);
    const statePath = join(dir.path, "anvil-state.json");
    const first = await startAnvil({ blockTime: 1, statePath });
    anvils.push(first);
    await rpcResult(first.url, "evm_increaseTime", [3600]);
    await rpcResult(first.url, "evm_mine", []);
    const saved = await block(first.url, "latest");
    expect(Number(saved.timestamp)).toBeGreaterThan(Date.now() / 1000 + 3000);
    await first.stop(); // SIGINT: anvil dumps its state

    const second = await startAnvil({ blockTime: 1, statePath });
    anvils.push(second);
    await rpcResult(second.url, "evm_mine", []);
    const latest = await block(second.url, "latest");
    expect(latest.number).toBeGreaterThan(saved.number);
    // Every block after the saved one is later than it.
    for (let n = saved.number; n <= latest.number; n++) {
      const b = await block(second.url, `0x${n.toString(16)}`);
      if (n === saved.number) expect(b.timestamp).toBe(saved.timestamp);
      else expect(b.timestamp, `block ${n}`).toBeGreaterThan(saved.timestamp);
    }
  });
});
