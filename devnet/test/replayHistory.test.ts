// replay({ history }): inputs already in hand (a benchmark's chain built in memory) are replayed
// without reading any chain, with the same comparisons as a chain read from its RPC.

import { describe, expect, it } from "vitest";
import { stringToHex } from "viem";
import { replay } from "@lcore/devnet";
import type { ChainHistory } from "@lcore/devnet/replay";
import { ECHO, ECHO_ALTERED } from "./helpers.js";

const APP = "0xab7528bb862fb57e8a2bcd567a2e929a0be56a5e";
const history = (inputs: number, claims: ChainHistory["claims"] = []): ChainHistory => ({
  inputBox: APP,
  validator: APP,
  fromBlock: 0,
  latestBlock: 100 + inputs,
  inputs: Array.from({ length: inputs }, (_, i) => ({
    index: i,
    chainId: 31337,
    msgSender: "0x00000000000000000000000000000000000000a1",
    blockNumber: 100 + i,
    blockTimestamp: 1_763_000_000 + i,
    prevRandao: `0x${"00".repeat(32)}`,
    payload: stringToHex(`reading ${i}`),
  })),
  claims,
});
// Nothing listens there: the replay must not read it.
const NO_RPC = "http://127.0.0.1:1";

describe("replay with a history in hand", () => {
  it("replays the given inputs without reading a chain and compares a shadow build", async () => {
    const report = await replay({
      rpcUrl: NO_RPC,
      application: APP,
      dapp: ECHO,
      shadow: ECHO_ALTERED,
      history: history(4),
      progress: () => {},
    });
    expect(report.inputs).toBe(4);
    expect(report.outputs).toBe(8); // a notice and a voucher per input
    expect(report.divergences).toEqual([]);
    // The altered build flips its notice from input 2 on.
    expect(report.shadowDivergences.map((d) => [d.inputIndex, d.outputIndex])).toEqual([
      [2, 4],
      [3, 6],
    ]);
  }, 30_000);

  it("checks the claims it is given against the recomputed outputs root", async () => {
    const report = await replay({
      rpcUrl: NO_RPC,
      application: APP,
      dapp: ECHO,
      history: history(2, [{ lastProcessedBlockNumber: 101, outputsMerkleRoot: `0x${"11".repeat(32)}` }]),
      progress: () => {},
    });
    expect(report.claimsChecked).toBe(1);
    expect(report.divergences).toHaveLength(1);
    expect(report.divergences[0]!.what).toContain("outputs Merkle root");
  }, 30_000);
});
