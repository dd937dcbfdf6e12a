// `lcore decode`: what a node serves as hex — an output (the ABI-encoded Notice/Voucher call
// of Rollups v2), a notice's or voucher's inner payload, a report or an inspect answer —
// made readable, with the protocol's field names (docs/PROTOCOL.md §4). Bytes print as 0x
// hex, integers as decimal strings, so the JSON is exact whatever its size.

import { decodeFunctionData, hexToBytes, isHex, parseAbi, toHex } from "viem";
import { decodeNotice } from "./notices.js";
import { decodeOutput } from "./outputs.js";

type Hex = `0x${string}`;

/** The calls the dApp puts in vouchers (protocol/src/settlement.ts, wallet.ts). */
const voucherCallsAbi = parseAbi([
  "function settlePeriod(uint64 period, bytes32 recordsRoot, uint64 recordCount, bytes32 stateHash, bytes32 devicesRoot, uint64 deviceCount)",
  "function recordAggregate(address device, uint64 period, uint64 count, int128 sum, int64 min, int64 max, bytes32 stateHash)",
  "function transfer(address to, uint256 amount)",
]);

export class DecodeInputError extends Error {
  override name = "DecodeInputError";
}

export type Decoded =
  | { type: "notice"; notice: unknown }
  | { type: "voucher"; destination: Hex; value: string; call: unknown }
  | { type: "delegate_call_voucher"; destination: Hex; call: unknown }
  | { type: "report"; report: unknown }
  | { type: "text"; text: string };

/** Bigints to decimal strings and byte arrays to hex, recursively: JSON without loss. */
export function plain(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** A voucher's payload: one of the dApp's calls by name and arguments, else its raw bytes. */
function decodeCall(payload: Hex): unknown {
  if (payload === "0x") return { payload };
  try {
    const call = decodeFunctionData({ abi: voucherCallsAbi, data: payload });
    const inputs = voucherCallsAbi.find((f) => f.name === call.functionName)!.inputs;
    return {
      function: call.functionName,
      args: Object.fromEntries(inputs.map((p, i) => [p.name, plain(call.args[i])])),
    };
  } catch {
    return { payload };
  }
}

function decodeText(bytes: Uint8Array): Decoded {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new DecodeInputError("not an lcore output: neither a v2 output call, a notice, nor UTF-8 text");
  }
  try {
    return { type: "report", report: JSON.parse(text) };
  } catch {
    return { type: "text", text };
  }
}

/** Decode whatever a node served; throws DecodeInputError when the hex is not one of ours. */
export function decodeHex(input: string): Decoded {
  const hex = (input.trim().startsWith("0x") ? input.trim() : `0x${input.trim()}`) as Hex;
  if (!isHex(hex) || hex.length % 2 !== 0)
    throw new DecodeInputError("expected hex bytes (0x… with an even number of digits)");
  const output = decodeOutput(hex);
  if (output?.type === "Notice") return { type: "notice", notice: decodePayloadNotice(hexToBytes(output.payload)) };
  if (output?.type === "Voucher")
    return {
      type: "voucher",
      destination: output.destination,
      value: output.value.toString(),
      call: decodeCall(output.payload),
    };
  if (output?.type === "DelegateCallVoucher")
    return { type: "delegate_call_voucher", destination: output.destination, call: decodeCall(output.payload) };
  const bytes = hexToBytes(hex);
  // A notice's own payload starts with its kind byte, 0x81-0xb0 (never a JSON or text start).
  if (bytes.length > 0 && bytes[0]! >= 0x80) {
    try {
      return { type: "notice", notice: plain(decodeNotice(bytes)) };
    } catch (error) {
      throw new DecodeInputError(`not a valid notice: ${(error as Error).message}`);
    }
  }
  return decodeText(bytes);
}

function decodePayloadNotice(bytes: Uint8Array): unknown {
  try {
    return plain(decodeNotice(bytes));
  } catch {
    // A notice of some other application (the Notice call is generic): show its bytes.
    return { payload: toHex(bytes) };
  }
}
