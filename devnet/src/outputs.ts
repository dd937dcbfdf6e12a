// Cartesi Rollups v2 outputs are ABI-encoded calls (DESIGN §6, @cartesi/rollups
// common/Outputs.sol): the Application decodes them by selector before executing.

import { outputsAbi } from "@lcore/protocol/outputs";
import { encodeFunctionData } from "viem";
import type { Hex } from "./hex.js";

export { outputsAbi, decodeOutput, type DecodedOutput } from "@lcore/protocol/outputs";

export const NOTICE_SELECTOR = "0xc258d6e5";
export const VOUCHER_SELECTOR = "0x237a816f";
export const DELEGATE_CALL_VOUCHER_SELECTOR = "0x10321e8b";

export function encodeNotice(payload: Hex): Hex {
  return encodeFunctionData({ abi: outputsAbi, functionName: "Notice", args: [payload] });
}

export function encodeVoucher(destination: Hex, value: bigint, payload: Hex): Hex {
  return encodeFunctionData({ abi: outputsAbi, functionName: "Voucher", args: [destination, value, payload] });
}

export function encodeDelegateCallVoucher(destination: Hex, payload: Hex): Hex {
  return encodeFunctionData({ abi: outputsAbi, functionName: "DelegateCallVoucher", args: [destination, payload] });
}
