// replay against a real anvil and the echo dApp: a clean replay checks the accepted claim, a
// shadow build altered from input 2 on is caught at exactly that input and output, and a
// dApp's own checks plug in through `checks`.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringToHex } from "viem";
import { type Devnet, NOTICE_SELECTOR, replay, type ReplayChecks, type ReplayedDapp } from "@lcore/devnet";
import { ECHO, ECHO_ALTERED, editedNode, rpcResult, startEchoChain, type TempDir } from "./helpers.js";
import { formatDivergence } from "@lcore/devnet/replay";

const INPUTS = 4;

let devnet: Devnet;
let dir: TempDir;

beforeAll(async () => {
  ({ devnet, dir } = await startEchoChain("replay", INPUTS));
});

afterAll(async () => {
  await devnet?.stop();
  dir?.remove();
});

describe("replay", () => {
  it("replays cleanly: every output, the accepted claims and the node's outputs agree", async () => {
    const report = await replay({
      rpcUrl: devnet.chainRpcUrl,
      application: devnet.application,
      dapp: ECHO,
      nodeUrl: devnet.jsonRpcUrl,
      progress: () => {},
    });
    expect(report.divergences).toEqual([]);
    expect(report.inputs).toBe(INPUTS);
    expect(report.outputs).toBe(INPUTS * 2);
    expect(report.claimsChecked).toBeGreaterThanOrEqual(1);
    expect(report.nodeOutputsChecked).toBe(INPUTS * 2);
    expect(report.nodeClaimsChecked).toBeGreaterThanOrEqual(1);
    // No checks of its own: nothing counted.
    expect(report.counts).toEqual({});
  });

  it("reports an epoch a node lists as accepted whose claim the chain does not have", async () => {
    const forged = `0x${"11".repeat(32)}`;
    const node = await editedNode(devnet.jsonRpcUrl, (method, params, result) => {
      if (method !== "cartesi_listEpochs" || params.status !== "CLAIM_ACCEPTED") return result;
      const last = result.data.at(-1);
      // The node's newest accepted epoch with another root, and one the chain never saw.
      const extra = { ...last, index: "0x63", first_block: "0x18c", last_block: "0x18f" };
      return {
        data: [...result.data.slice(0, -1), { ...last, outputs_merkle_root: forged }, extra],
        pagination: { ...result.pagination, total_count: result.data.length + 1 },
      };
    });
    try {
      const report = await replay({
        rpcUrl: devnet.chainRpcUrl,
        application: devnet.application,
        dapp: ECHO,
        nodeUrl: node.url,
        progress: () => {},
      });
      const epochs = (await rpcResult(devnet.jsonRpcUrl, "cartesi_listEpochs", ["app"])).data as any[];
      const last = epochs.at(-1);
      expect(report.nodeClaimsChecked).toBe(epochs.length + 1);
      expect(report.divergences).toHaveLength(1);
      const divergence = report.divergences[0]!;
      expect(divergence).toMatchObject({
        epochIndex: parseInt(last.index, 16),
        inputIndex: INPUTS - 1,
        expected: forged,
        got: last.outputs_merkle_root,
      });
      expect(formatDivergence(divergence)).toMatch(
        new RegExp(
          `^divergence at epoch ${parseInt(last.index, 16)} \\(input ${INPUTS - 1}\\): claim of blocks ${parseInt(last.first_block, 16)}-${parseInt(last.last_block, 16)}, accepted on the node, vs the chain's ClaimAccepted events \\(2 such epochs: ${parseInt(last.index, 16)}, 99\\)`,
        ),
      );
    } finally {
      await node.close();
    }
  });

  it("--shadow reports every divergence of an altered build, from input 2 output 4", async () => {
    const report = await replay({
      rpcUrl: devnet.chainRpcUrl,
      application: devnet.application,
      dapp: ECHO,
      shadow: ECHO_ALTERED,
      progress: () => {},
    });
    expect(report.divergences).toEqual([]);
    expect(report.shadowDivergences.map((d) => [d.inputIndex, d.outputIndex])).toEqual([
      [2, 4],
      [3, 6],
    ]);
    expect(report.shadowDivergences[0]!.expected).toBe(
      `0xc258d6e5${"0".repeat(62)}20${"0".repeat(62)}09${stringToHex("reading 2").slice(2)}${"0".repeat(46)}`,
    );
    expect(report.shadowDivergences[0]!.got).toContain(stringToHex("seading 2").slice(2));
  });

  it("plugs in a dApp's own checks: each sees its input's outputs and the dApp's state right after it", async () => {
    const seen: string[] = [];
    /** The echo dApp answers an inspect with the payload and the number of advances it accepted. */
    const accepted = async (d: ReplayedDapp) => BigInt((await d.inspect("0x00")).reports[1]!);
    const lines: string[] = [];
    const checks: ReplayChecks = {
      rateOf: "notices",
      async start(d) {
        seen.push(`${d.role} start ${await accepted(d)}`);
      },
      async onInput(d, input) {
        seen.push(`${d.role} input ${input.index} output ${input.firstOutput} after ${await accepted(d)}`);
        return {
          counts: { notices: input.result.outputs.filter((o) => o.startsWith(NOTICE_SELECTOR)).length },
          divergences: input.index === 2 ? [{ inputIndex: 2, what: `${d.role} check`, expected: "a", got: "b" }] : [],
        };
      },
    };
    const report = await replay({
      rpcUrl: devnet.chainRpcUrl,
      application: devnet.application,
      dapp: ECHO,
      shadow: ECHO,
      checks,
      progress: (l) => lines.push(l),
    });
    expect(report.counts).toEqual({ notices: INPUTS });
    // The replayed dApp's first divergence, every one of the shadow's; with a shadow the replay goes on to the end.
    expect(report.divergences).toEqual([{ inputIndex: 2, what: "dapp check", expected: "a", got: "b" }]);
    expect(report.shadowDivergences).toEqual([{ inputIndex: 2, what: "shadow check", expected: "a", got: "b" }]);
    expect(report.inputs).toBe(INPUTS);
    for (const role of ["dapp", "shadow"]) {
      expect(seen.filter((s) => s.startsWith(role))).toEqual([
        `${role} start 0`,
        ...Array.from({ length: INPUTS }, (_, i) => `${role} input ${i} output ${2 * i} after ${i + 1}`),
      ]);
    }
    expect(lines.at(-1)).toMatch(/4\/4 inputs, .* notices\/s, done/);
  });
});
