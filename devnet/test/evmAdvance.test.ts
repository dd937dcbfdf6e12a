// The devnet's EvmAdvance decoder reads the hex string itself (for speed): it must give what
// viem's ABI decoder gives for every call the InputBox can make, and refuse any other layout.

import { describe, expect, it } from "vitest";
import { decodeFunctionData, encodeFunctionData, numberToHex } from "viem";
import { inputsAbi } from "../src/abis.js";
import { InputError } from "../src/errors.js";
import { decodeEvmAdvance } from "../src/evmAdvance.js";
import type { Hex } from "../src/hex.js";

const encode = (payload: Hex, over: Partial<{ chainId: bigint; index: bigint; prevRandao: bigint }> = {}) =>
  encodeFunctionData({
    abi: inputsAbi,
    functionName: "EvmAdvance",
    args: [
      over.chainId ?? 31337n,
      "0x1111111111111111111111111111111111111111",
      "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
      123_456n,
      1_700_000_000n,
      over.prevRandao ?? 2n ** 255n + 7n,
      over.index ?? 41n,
      payload,
    ],
  });

function viemDecoded(raw: Hex) {
  const [chainId, appContract, msgSender, blockNumber, blockTimestamp, prevRandao, index, payload] = decodeFunctionData(
    { abi: inputsAbi, data: raw },
  ).args;
  return {
    chainId: Number(chainId),
    appContract,
    msgSender,
    blockNumber: Number(blockNumber),
    blockTimestamp: Number(blockTimestamp),
    prevRandao: numberToHex(prevRandao, { size: 32 }),
    index: Number(index),
    payload,
  };
}

describe("decodeEvmAdvance", () => {
  it("gives what viem's ABI decoder gives, for payloads of every padding and up to 64 KiB", () => {
    for (const length of [0, 1, 31, 32, 33, 64, 1000, 65_536]) {
      const bytes = Buffer.from(Array.from({ length }, (_, i) => (i * 151 + length) & 0xff));
      const raw = encode(`0x${bytes.toString("hex")}`);
      expect(decodeEvmAdvance(raw)).toEqual(viemDecoded(raw));
    }
    const raw = encode("0xabcdef", { chainId: 1n, index: 0n, prevRandao: 0n });
    expect(decodeEvmAdvance(raw)).toEqual(viemDecoded(raw));
    // The node's hex may come in upper case: the decoded payload and randao are lower case as viem's.
    const upper = `0x${raw.slice(2).toUpperCase()}` as Hex;
    expect(decodeEvmAdvance(upper)).toEqual(viemDecoded(raw));
  });

  it("refuses a call that is not EvmAdvance as abi.encodeCall lays it out", () => {
    const raw = encode("0xabcdef");
    const refused = (bad: string) => expect(() => decodeEvmAdvance(bad as Hex)).toThrow(InputError);
    refused(`0xdeadbeef${raw.slice(10)}`); // another selector
    refused(raw.slice(0, 10 + 64 * 5)); // cut in the head
    refused(raw.slice(0, -2)); // cut in the payload's padding
    refused(`${raw}00`); // bytes after it
    refused(`${raw.slice(0, -2)}zz`); // not hex
    const word = (i: number) => 10 + 64 * i;
    const withWord = (i: number, w: string) => `${raw.slice(0, word(i))}${w}${raw.slice(word(i + 1))}`;
    refused(withWord(7, (0x120).toString(16).padStart(64, "0"))); // the payload elsewhere
    refused(withWord(8, (33).toString(16).padStart(64, "0"))); // a length its padded bytes do not hold
    refused(withWord(1, `01${raw.slice(word(1) + 2, word(2))}`)); // an address with dirty upper bytes
  });
});
