// Cartesi Rollups v2 outputs are ABI-encoded calls (DESIGN §6, @cartesi/rollups
// common/Outputs.sol): the Application decodes them by selector before executing.

import { decodeFunctionData, encodeFunctionData, parseAbi } from "viem";
import type { Hex } from "./hex.js";

export const outputsAbi = parseAbi([
  "function Notice(bytes payload)",
  "function Voucher(address destination, uint256 value, bytes payload)",
  "function DelegateCallVoucher(address destination, bytes payload)",
]);

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

/** Decode an output the node recorded; `undefined` if it is not one of the three v2 output calls. */
export function decodeOutput(output: Hex): DecodedOutput | undefined {
  try {
    const call = decodeFunctionData({ abi: outputsAbi, data: output });
    switch (call.functionName) {
      case "Notice":
        return { type: "Notice", payload: call.args[0] };
      case "Voucher":
        return { type: "Voucher", destination: call.args[0], value: call.args[1], payload: call.args[2] };
      case "DelegateCallVoucher":
        return { type: "DelegateCallVoucher", destination: call.args[0], payload: call.args[1] };
    }
  } catch {
    return undefined;
  }
}
