import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Address,
  type Hex,
  BaseError,
  ContractFunctionRevertedError,
  concat,
  encodePacked,
  getAddress,
  keccak256,
  toHex,
  zeroHash,
} from "viem";
import { lcoreSettlementAbi, lcoreSettlementBytecode } from "@lcore/contracts";
import { localChain } from "./chain.js";

let chain: Awaited<ReturnType<typeof localChain>>;
let settlement: Address;
const deployer = () => chain.wallet(0);
const application = () => chain.wallet(1);
const stranger = () => chain.wallet(2);

beforeAll(async () => {
  chain = await localChain();
  settlement = await chain.deploy(deployer(), lcoreSettlementAbi, lcoreSettlementBytecode, [
    application().account.address,
  ]);
});
afterAll(async () => {
  await chain?.anvil.stop();
});

/** The revert's custom error name and args, as the contract raised them. */
async function revertOf(p: Promise<unknown>): Promise<{ errorName: string; args: readonly unknown[] }> {
  try {
    await p;
  } catch (err) {
    const revert = err instanceof BaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : null;
    if (revert instanceof ContractFunctionRevertedError && revert.data) {
      return { errorName: revert.data.errorName, args: revert.data.args ?? [] };
    }
    throw err;
  }
  throw new Error("expected a revert");
}

async function write(
  wallet: ReturnType<typeof chain.wallet>,
  functionName: "settlePeriod" | "recordAggregate",
  args: readonly unknown[],
) {
  const { request } = await chain.publicClient.simulateContract({
    address: settlement,
    abi: lcoreSettlementAbi,
    functionName,
    args,
    account: wallet.account,
  } as never);
  const hash = await wallet.writeContract(request as never);
  return chain.publicClient.waitForTransactionReceipt({ hash });
}

/** Reference records tree: leaves padded with zeros to a power of two, parent = keccak(left || right). */
function recordsTree(leaves: Hex[]): { root: Hex; proof: (i: number) => Hex[] } {
  let width = 1;
  while (width < leaves.length) width *= 2;
  const levels: Hex[][] = [[...leaves, ...Array<Hex>(width - leaves.length).fill(zeroHash)]];
  while (levels.at(-1)!.length > 1) {
    const below = levels.at(-1)!;
    levels.push(below.filter((_, i) => i % 2 === 0).map((l, i) => keccak256(concat([l, below[2 * i + 1]!]))));
  }
  return {
    root: levels.at(-1)![0]!,
    proof: (i) => levels.slice(0, -1).map((level, d) => level[(i >> d) ^ 1]!),
  };
}

const recordHash = (n: number) => keccak256(toHex(`record ${n}`));

describe("LcoreSettlement", () => {
  it("refuses writes from anyone but the Application, naming both", async () => {
    const caller = stranger().account.address;
    expect(await revertOf(write(stranger(), "settlePeriod", [1n, recordHash(1), 1n, zeroHash, zeroHash, 1n]))).toEqual({
      errorName: "CallerNotApplication",
      args: [caller, application().account.address],
    });
    expect(await revertOf(write(stranger(), "recordAggregate", [caller, 1n, 1n, 5n, 5n, 5n, zeroHash]))).toMatchObject({
      errorName: "CallerNotApplication",
    });
  });

  it("settles a period once, emits it, and refuses an empty or repeated settlement", async () => {
    const tree = recordsTree([recordHash(1), recordHash(2), recordHash(3)]);
    const stateHash = keccak256(toHex("state"));
    const devicesRoot = keccak256(toHex("devices"));
    const receipt = await write(application(), "settlePeriod", [7n, tree.root, 3n, stateHash, devicesRoot, 2n]);
    expect(receipt.status).toBe("success");
    const logs = await chain.publicClient.getContractEvents({
      address: settlement,
      abi: lcoreSettlementAbi,
      eventName: "PeriodSettled",
      fromBlock: receipt.blockNumber,
      toBlock: receipt.blockNumber,
    });
    expect(logs[0]!.args).toEqual({
      period: 7n,
      recordsRoot: tree.root,
      recordCount: 3n,
      stateHash,
      devicesRoot,
      deviceCount: 2n,
    });
    expect(
      await chain.publicClient.readContract({
        address: settlement,
        abi: lcoreSettlementAbi,
        functionName: "settlement",
        args: [7n],
      }),
    ).toEqual({ recordsRoot: tree.root, recordCount: 3n, stateHash, devicesRoot, deviceCount: 2n });

    expect(
      await revertOf(write(application(), "settlePeriod", [7n, recordHash(9), 1n, stateHash, devicesRoot, 1n])),
    ).toEqual({
      errorName: "PeriodAlreadySettled",
      args: [7n, tree.root],
    });
    expect(
      await revertOf(write(application(), "settlePeriod", [8n, tree.root, 0n, stateHash, devicesRoot, 0n])),
    ).toEqual({ errorName: "EmptySettlement", args: [8n] });
    // Every device of a period holds at least one of its records.
    for (const deviceCount of [0n, 4n]) {
      expect(
        await revertOf(write(application(), "settlePeriod", [8n, tree.root, 3n, stateHash, devicesRoot, deviceCount])),
      ).toEqual({ errorName: "InvalidDeviceCount", args: [8n, deviceCount, 3n] });
    }
  });

  it("verifies every record's inclusion proof and nothing else, for trees of 1 to 9 records", async () => {
    for (const count of [1, 2, 3, 5, 8, 9]) {
      const period = BigInt(100 + count);
      const leaves = Array.from({ length: count }, (_, i) => recordHash(1000 * count + i));
      const tree = recordsTree(leaves);
      await write(application(), "settlePeriod", [period, tree.root, BigInt(count), zeroHash, zeroHash, 1n]);
      const verify = (leaf: Hex, index: number, proof: Hex[]) =>
        chain.publicClient.readContract({
          address: settlement,
          abi: lcoreSettlementAbi,
          functionName: "verifyRecord",
          args: [period, leaf, BigInt(index), proof],
        });
      for (let i = 0; i < count; i++) {
        expect(await verify(leaves[i]!, i, tree.proof(i)), `count ${count} index ${i}`).toBe(true);
        // Another record's hash, or this one at another index, does not verify.
        expect(await verify(leaves[(i + 1) % count]!, i, tree.proof(i))).toBe(count === 1);
        if (count > 1) expect(await verify(leaves[i]!, (i + 1) % count, tree.proof(i))).toBe(false);
      }
      // A padding leaf is not a record, and an inner node cannot pass for a leaf (proof length is fixed).
      expect(await verify(zeroHash, count, tree.proof(count % 2 === 0 ? 0 : count))).toBe(false);
      if (count > 1)
        expect(
          await verify(
            tree.proof(0).length > 1 ? keccak256(concat([leaves[0]!, tree.proof(0)[0]!])) : leaves[0]!,
            0,
            tree.proof(0).slice(1),
          ),
        ).toBe(false);
    }
  });

  it("verifies a device summary against the period's devices root, and no other count, seq range or device", async () => {
    const devices = [0xa1, 0xb2, 0xc3].map((b) => getAddress(`0x${b.toString(16).repeat(20)}`));
    const summaries = devices.map((device, i) => ({
      device,
      count: BigInt(10 + i),
      firstSeq: BigInt(100 * i + 1),
      lastSeq: BigInt(100 * i + 10 + i),
    }));
    const leaf = (s: (typeof summaries)[number]) =>
      keccak256(encodePacked(["address", "uint64", "uint64", "uint64"], [s.device, s.count, s.firstSeq, s.lastSeq]));
    const tree = recordsTree(summaries.map(leaf));
    await write(application(), "settlePeriod", [300n, recordHash(300), 33n, zeroHash, tree.root, 3n]);
    const verify = (s: (typeof summaries)[number], index: number, proof: Hex[]) =>
      chain.publicClient.readContract({
        address: settlement,
        abi: lcoreSettlementAbi,
        functionName: "verifyDeviceSummary",
        args: [300n, s.device, s.count, s.firstSeq, s.lastSeq, BigInt(index), proof],
      });
    for (const [i, s] of summaries.entries()) {
      expect(await verify(s, i, tree.proof(i))).toBe(true);
      expect(await verify({ ...s, count: s.count - 1n }, i, tree.proof(i))).toBe(false);
      expect(await verify({ ...s, lastSeq: s.lastSeq + 1n }, i, tree.proof(i))).toBe(false);
      expect(await verify({ ...s, device: devices[(i + 1) % 3]! }, i, tree.proof(i))).toBe(false);
    }
    // Not a settled period: nothing verifies.
    expect(
      await chain.publicClient.readContract({
        address: settlement,
        abi: lcoreSettlementAbi,
        functionName: "verifyDeviceSummary",
        args: [301n, summaries[0]!.device, 10n, 1n, 10n, 0n, tree.proof(0)],
      }),
    ).toBe(false);
  });

  it("records an aggregate once, with count > 0 and min <= max", async () => {
    const device = getAddress("0x00000000000000000000000000000000000000d1");
    const stateHash = keccak256(toHex("after disclosure"));
    await write(application(), "recordAggregate", [device, 20_000n, 3n, -42n, -30n, 12n, stateHash]);
    expect(
      await chain.publicClient.readContract({
        address: settlement,
        abi: lcoreSettlementAbi,
        functionName: "aggregate",
        args: [device, 20_000n],
      }),
    ).toEqual({ count: 3n, sum: -42n, min: -30n, max: 12n, stateHash });
    expect(
      await revertOf(write(application(), "recordAggregate", [device, 20_000n, 1n, 1n, 1n, 1n, stateHash])),
    ).toEqual({
      errorName: "AggregateAlreadyRecorded",
      args: [device, 20_000n],
    });
    expect(
      await revertOf(write(application(), "recordAggregate", [device, 20_001n, 0n, 0n, 0n, 0n, stateHash])),
    ).toEqual({
      errorName: "InvalidAggregate",
      args: [device, 20_001n, 0n, 0n, 0n],
    });
    expect(
      await revertOf(write(application(), "recordAggregate", [device, 20_002n, 2n, 3n, 5n, 4n, stateHash])),
    ).toEqual({
      errorName: "InvalidAggregate",
      args: [device, 20_002n, 2n, 5n, 4n],
    });
  });
});
