// Cartesi Rollups v2 outputs are ABI-encoded calls (DESIGN §6): the Application decodes them
// by selector before executing. Their one definition is the pinned @cartesi/rollups artifact
// of common/Outputs.sol (out/Outputs.sol/Outputs.json); a test holds the selectors below to it.

import { decodeFunctionData, encodeFunctionData } from "viem";
import { loadArtifact } from "./artifacts.js";
import type { Hex } from "./hex.js";

/** `Notice(bytes)`, `Voucher(address,uint256,bytes)` and `DelegateCallVoucher(address,bytes)`, as the artifact declares them. */
export const outputsAbi = loadArtifact("Outputs").abi;

export const NOTICE_SELECTOR = "0xc258d6e5";
export const VOUCHER_SELECTOR = "0x237a816f";
export const DELEGATE_CALL_VOUCHER_SELECTOR = "0x10321e8b";

export type DecodedOutput =
  | { type: "Notice"; payload: Hex }
  | { type: "Voucher"; destination: Hex; value: bigint; payload: Hex }
  | { type: "DelegateCallVoucher"; destination: Hex; payload: Hex };

export function encodeNotice(payload: Hex): Hex {
  return encodeFunctionData({ abi: outputsAbi, functionName: "Notice", args: [payload] });
}

export function encodeVoucher(destination: Hex, value: bigint, payload: Hex): Hex {
  return encodeFunctionData({ abi: outputsAbi, functionName: "Voucher", args: [destination, value, payload] });
}

export function encodeDelegateCallVoucher(destination: Hex, payload: Hex): Hex {
  return encodeFunctionData({ abi: outputsAbi, functionName: "DelegateCallVoucher", args: [destination, payload] });
}

/** Decode an output a node recorded; `undefined` if it is not one of the three v2 output calls. */
export function decodeOutput(output: Hex): DecodedOutput | undefined {
  let call: { functionName: string; args?: readonly unknown[] | undefined };
  try {
    call = decodeFunctionData({ abi: outputsAbi, data: output });
  } catch {
    return undefined;
  }
  // The artifact's ABI is read at run time, so viem types the arguments as unknown; their
  // Solidity types are fixed by the selector that matched.
  const args = call.args ?? [];
  switch (call.functionName) {
    case "Notice":
      return { type: "Notice", payload: args[0] as Hex };
    case "Voucher":
      return { type: "Voucher", destination: args[0] as Hex, value: args[1] as bigint, payload: args[2] as Hex };
    case "DelegateCallVoucher":
      return { type: "DelegateCallVoucher", destination: args[0] as Hex, payload: args[1] as Hex };
    default:
      return undefined;
  }
}
