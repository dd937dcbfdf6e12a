// The contract ABIs the gateway takes from @lcore/contracts (generated, `as const`) call
// exactly what it called when it wrote the signatures by hand: same selectors, same event
// topic, same encoding. The calls below also only compile while viem infers their types.

import { applicationAbi, inputBoxAbi, lcoreSettlementAbi } from "@lcore/contracts";
import { encodeAbiParameters, encodeFunctionData, getAbiItem, toEventSelector, toFunctionSelector } from "viem";
import { describe, expect, it } from "vitest";

const APP = "0x00000000000000000000000000000000000000aa";
const HASH = `0x${"11".repeat(32)}` as const;

describe("generated ABIs", () => {
  it("InputBox.addInput and InputAdded", () => {
    expect(toFunctionSelector(getAbiItem({ abi: inputBoxAbi, name: "addInput" }))).toBe(
      toFunctionSelector("addInput(address,bytes)"),
    );
    expect(toEventSelector(getAbiItem({ abi: inputBoxAbi, name: "InputAdded" }))).toBe(
      toEventSelector("InputAdded(address,uint256,bytes)"),
    );
    const data = encodeFunctionData({ abi: inputBoxAbi, functionName: "addInput", args: [APP, "0x0102"] });
    expect(data).toBe(
      toFunctionSelector("addInput(address,bytes)") +
        encodeAbiParameters([{ type: "address" }, { type: "bytes" }], [APP, "0x0102"]).slice(2),
    );
  });

  it("Application.executeOutput and wasOutputExecuted", () => {
    const data = encodeFunctionData({
      abi: applicationAbi,
      functionName: "executeOutput",
      args: ["0xabcd", { outputIndex: 7n, outputHashesSiblings: [HASH] }],
    });
    const proof = {
      type: "tuple",
      components: [
        { name: "outputIndex", type: "uint64" },
        { name: "outputHashesSiblings", type: "bytes32[]" },
      ],
    } as const;
    expect(data).toBe(
      toFunctionSelector("executeOutput(bytes,(uint64,bytes32[]))") +
        encodeAbiParameters(
          [{ type: "bytes" }, proof],
          ["0xabcd", { outputIndex: 7n, outputHashesSiblings: [HASH] }],
        ).slice(2),
    );
    expect(toFunctionSelector(getAbiItem({ abi: applicationAbi, name: "wasOutputExecuted" }))).toBe(
      toFunctionSelector("wasOutputExecuted(uint256)"),
    );
  });

  it("LcoreSettlement.settlement and verifyRecord", () => {
    expect(toFunctionSelector(getAbiItem({ abi: lcoreSettlementAbi, name: "settlement" }))).toBe(
      toFunctionSelector("settlement(uint64)"),
    );
    const data = encodeFunctionData({
      abi: lcoreSettlementAbi,
      functionName: "verifyRecord",
      args: [3n, HASH, 1n, [HASH]],
    });
    expect(data.slice(0, 10)).toBe(toFunctionSelector("verifyRecord(uint64,bytes32,uint256,bytes32[])"));
  });
});
