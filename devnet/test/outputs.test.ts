// The outputs ABI is the pinned @cartesi/rollups artifact's (common/Outputs.sol): its selectors
// are DESIGN §6's, and what the encoders write the decoder reads back.

import { type AbiFunction, toFunctionSelector } from "viem";
import { describe, expect, it } from "vitest";
import { loadArtifact } from "../src/artifacts.js";
import {
  DELEGATE_CALL_VOUCHER_SELECTOR,
  NOTICE_SELECTOR,
  VOUCHER_SELECTOR,
  decodeOutput,
  encodeDelegateCallVoucher,
  encodeNotice,
  encodeVoucher,
  outputsAbi,
} from "../src/outputs.js";

const DESTINATION = "0x1b51e2992A2755Ba4D6F7094032DF91991a0Cfac";

describe("outputs", () => {
  it("has DESIGN §6's selectors, as the artifact declares them", () => {
    const selectors = Object.fromEntries(
      (outputsAbi as readonly AbiFunction[]).map((f) => [f.name, toFunctionSelector(f)]),
    );
    expect(selectors).toEqual({
      Notice: NOTICE_SELECTOR,
      Voucher: VOUCHER_SELECTOR,
      DelegateCallVoucher: DELEGATE_CALL_VOUCHER_SELECTOR,
    });
    expect([NOTICE_SELECTOR, VOUCHER_SELECTOR, DELEGATE_CALL_VOUCHER_SELECTOR]).toEqual([
      "0xc258d6e5",
      "0x237a816f",
      "0x10321e8b",
    ]);
    const declared = loadArtifact("Outputs").methodIdentifiers;
    expect(declared).toEqual({
      "Notice(bytes)": NOTICE_SELECTOR.slice(2),
      "Voucher(address,uint256,bytes)": VOUCHER_SELECTOR.slice(2),
      "DelegateCallVoucher(address,bytes)": DELEGATE_CALL_VOUCHER_SELECTOR.slice(2),
    });
  });

  it("decodes what it encodes, and nothing else", () => {
    expect(encodeNotice("0xabcd").startsWith(NOTICE_SELECTOR)).toBe(true);
    expect(decodeOutput(encodeNotice("0xabcd"))).toEqual({ type: "Notice", payload: "0xabcd" });
    expect(decodeOutput(encodeVoucher(DESTINATION, 7n, "0x01"))).toEqual({
      type: "Voucher",
      destination: DESTINATION,
      value: 7n,
      payload: "0x01",
    });
    expect(decodeOutput(encodeDelegateCallVoucher(DESTINATION, "0x"))).toEqual({
      type: "DelegateCallVoucher",
      destination: DESTINATION,
      payload: "0x",
    });
    expect(decodeOutput("0x12345678")).toBeUndefined();
    expect(decodeOutput(`${NOTICE_SELECTOR}00`)).toBeUndefined();
  });
});
