// Cartesi Rollups v2 outputs are ABI-encoded calls (DESIGN §6, @cartesi/rollups
// common/Outputs.sol): the Application decodes them by selector before executing. The
// node (devnet) encodes them; readers of what a node serves decode them here.

import { decodeFunctionData, parseAbi } from "viem";

type Hex = `0x${string}`;

export const outputsAbi = parseAbi([
  "function Notice(bytes payload)",
  "function Voucher(address destination, uint256 value, bytes payload)",
  "function DelegateCallVoucher(address destination, bytes payload)",
]);

export type DecodedOutput =
  | { type: "Notice"; payload: Hex }
  | { type: "Voucher"; destination: Hex; value: bigint; payload: Hex }
  | { type: "DelegateCallVoucher"; destination: Hex; payload: Hex };

/** Decode an output a node recorded; `undefined` if it is not one of the three v2 output calls. */
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
