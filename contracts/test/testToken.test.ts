import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Address, parseEther } from "viem";
import { mVPIoTProcessorAbi, mVPIoTProcessorBytecode, testTokenAbi, testTokenBytecode } from "@lcore/contracts";
import { localChain } from "./chain.js";

let chain: Awaited<ReturnType<typeof localChain>>;
beforeAll(async () => {
  chain = await localChain();
});
afterAll(async () => {
  await chain?.anvil.stop();
});

describe("TestToken", () => {
  it("moves balances with transfer and transferFrom, and refuses overdrafts", async () => {
    const [owner, alice, bob] = [chain.wallet(0), chain.wallet(1), chain.wallet(2)];
    const token: Address = await chain.deploy(chain.wallet(4), testTokenAbi, testTokenBytecode, [
      owner.account.address,
      parseEther("1000"),
    ]);
    const balance = (a: Address) =>
      chain.publicClient.readContract({ address: token, abi: testTokenAbi, functionName: "balanceOf", args: [a] });
    const send = async (
      w: typeof owner,
      functionName: "transfer" | "approve" | "transferFrom",
      args: readonly unknown[],
    ) => {
      const { request } = await chain.publicClient.simulateContract({
        address: token,
        abi: testTokenAbi,
        functionName,
        args,
        account: w.account,
      } as never);
      await chain.publicClient.waitForTransactionReceipt({ hash: await w.writeContract(request as never) });
    };
    await send(owner, "transfer", [alice.account.address, parseEther("10")]);
    expect(await balance(alice.account.address)).toBe(parseEther("10"));
    await send(alice, "approve", [bob.account.address, parseEther("4")]);
    await send(bob, "transferFrom", [alice.account.address, bob.account.address, parseEther("3")]);
    expect(await balance(bob.account.address)).toBe(parseEther("3"));
    await expect(
      send(bob, "transferFrom", [alice.account.address, bob.account.address, parseEther("2")]),
    ).rejects.toThrow(/InsufficientAllowance/);
    await expect(send(alice, "transfer", [bob.account.address, parseEther("8")])).rejects.toThrow(
      /InsufficientBalance/,
    );
    expect(await balance(owner.account.address)).toBe(parseEther("990"));
  });
});

describe("MVPIoTProcessor", () => {
  it("keeps result, proof hash, block timestamp and submitter per task, as the MVP did", async () => {
    const submitter = chain.wallet(3);
    const processor = await chain.deploy(submitter, mVPIoTProcessorAbi, mVPIoTProcessorBytecode, []);
    const taskId = `0x${"ab".repeat(32)}` as const;
    const proofHash = `0x${"cd".repeat(32)}` as const;
    const hash = await submitter.writeContract({
      address: processor,
      abi: mVPIoTProcessorAbi,
      functionName: "submitResult",
      args: [taskId, [1, 2, 250], proofHash],
    });
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
    const block = await chain.publicClient.getBlock({ blockNumber: receipt.blockNumber });
    expect(
      await chain.publicClient.readContract({
        address: processor,
        abi: mVPIoTProcessorAbi,
        functionName: "getResult",
        args: [taskId],
      }),
    ).toEqual([[1, 2, 250], proofHash, block.timestamp, submitter.account.address]);
  });
});
