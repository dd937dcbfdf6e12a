// Decoding an input as the EvmAdvance call the InputBox makes of it (common/Inputs.sol,
// DESIGN §6): selector, seven head words, the payload's offset (always 0x100), its length and
// its bytes padded to a word.
//
// Read straight off the hex string, because every input passes here twice (read from the
// chain, served by cartesi_getInput) and is up to 64 KiB: viem's decodeFunctionData turns the
// whole call into bytes and the payload back into hex in JavaScript, which was 4 % of the
// node's CPU with a fleet of two applications. The InputBox encodes with abi.encodeCall, so
// an input in any other layout is refused rather than decoded leniently.

import { getAddress } from "viem";
import { EVM_ADVANCE_SELECTOR } from "./abis.js";
import { InputError } from "./errors.js";
import type { Hex } from "./hex.js";
import type { NewInput } from "./store.js";

export type EvmAdvance = Omit<NewInput, "raw" | "txHash" | "blockHash"> & { appContract: Hex };

const WORD = 64; // hex digits
/** Where the head starts: after "0x" and the 4-byte selector. */
const HEAD = 2 + 8;
/** The payload's offset in the arguments: right after the eight head words. */
const PAYLOAD_OFFSET = 8n * 32n;
const HEX_BODY = /^[0-9a-fA-F]*$/;
const ADDRESS_PADDING = "0".repeat(24);

export function decodeEvmAdvance(raw: Hex): EvmAdvance {
  if (raw.slice(0, HEAD).toLowerCase() !== EVM_ADVANCE_SELECTOR)
    throw new InputError(`input does not start with the EvmAdvance selector ${EVM_ADVANCE_SELECTOR}`);
  const word = (i: number) => raw.slice(HEAD + WORD * i, HEAD + WORD * (i + 1));
  const uint = (i: number) => BigInt(`0x${word(i)}`);
  const address = (i: number) => {
    const w = word(i);
    if (!w.startsWith(ADDRESS_PADDING)) throw new InputError(`EvmAdvance argument ${i} is not an address`);
    return getAddress(`0x${w.slice(24)}`);
  };
  const payloadAt = HEAD + WORD * 9;
  if (raw.length < payloadAt || !HEX_BODY.test(raw.slice(2)))
    throw new InputError("input is not a whole EvmAdvance call");
  if (uint(7) !== PAYLOAD_OFFSET) throw new InputError("the EvmAdvance payload is not where abi.encodeCall puts it");
  const length = uint(8);
  const padded = ((length + 31n) / 32n) * 32n * 2n;
  if (BigInt(raw.length - payloadAt) !== padded) throw new InputError("the EvmAdvance payload's length does not match");
  return {
    chainId: Number(uint(0)),
    appContract: address(1),
    msgSender: address(2),
    blockNumber: Number(uint(3)),
    blockTimestamp: Number(uint(4)),
    prevRandao: `0x${word(5).toLowerCase()}`,
    index: Number(uint(6)),
    payload: `0x${raw.slice(payloadAt, payloadAt + Number(length) * 2).toLowerCase()}`,
  };
}
