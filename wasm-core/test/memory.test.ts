import { describe, expect, it } from "vitest";
import * as core from "@lcore/wasm-core";
import { memoryBytes } from "../src/instance.js";

describe("memory", () => {
  it("stays flat over 100,000 calls of every primitive", () => {
    const data = new Uint8Array(1024).fill(7);
    const key = new Uint8Array(32).fill(1);
    const nonce = new Uint8Array(12).fill(2);
    const aad = new Uint8Array(16).fill(3);
    const problem = { tier: 1, elements: Array.from({ length: 8 }, (_, i) => BigInt(i)), target: 3n };
    const round = () => {
      core.sha256(data);
      core.keccak256(data);
      core.hmacSha256(key, data);
      core.hkdfSha256(key, data, data, 64);
      core.createSha256().update(data).digest();
      core.createKeccak256().update(data).digest();
      core.verifySubsetSum(problem, [1, 2]);
      core.aes256GcmOpen(key, nonce, core.aes256GcmSeal(key, nonce, data, aad), aad);
      core.chacha20Poly1305Open(key, nonce, core.chacha20Poly1305Seal(key, nonce, data, aad), aad);
    };
    round();
    const before = memoryBytes();
    for (let i = 0; i < 100_000; i++) round();
    expect(memoryBytes()).toBe(before);
  });
});
