// Subset-sum bounties: opened by a deposit, the first valid solution paid by voucher,
// refunds after the deadline, every refusal with its reason and no trace; the seeded
// generator is stable and matches its documented formula.
import { keccak_256 } from "@noble/hashes/sha3.js";
import { describe, expect, it } from "vitest";
import { decodeFunctionData, parseAbi } from "viem";
import { verifySubsetSum } from "@lcore/wasm-core";
import type { Output } from "@lcore/dapp";
import {
  type BountySpec,
  MAX_SOLUTION_INDICES,
  TIER_SIZES,
  decodeBountyNotice,
  decodeBountySpec,
  encodeBountyRefundClaim,
  encodeBountySolution,
  encodeBountySpec,
  generateProblem,
} from "@lcore/protocol/bounty";
import { concatBytes, toHex } from "@lcore/protocol/bytes";
import { InputKind } from "@lcore/protocol/kinds";
import { ETHER_ASSET, encodeErc20Deposit, encodeEtherDeposit } from "@lcore/protocol/wallet";
import { T0, reports, testDapp, testOwner } from "./helpers.js";

const ETHER_PORTAL = "0xA632c5c05812c6a6149B7af5C56117d1D2603828";
const ERC20_PORTAL = "0xACA6586A0Cf05bD831f2501E7B4aea550dA6562D";
const requester = testOwner("bounty requester");
const solver = testOwner("bounty solver");
const other = testOwner("bounty other");
const token = Uint8Array.from({ length: 20 }, (_, i) => 0x90 + i);
const DEADLINE = BigInt(T0 + 1000);
const I64_MAX = (1n << 63n) - 1n;
// Tier 1 (8-12 elements): 2 + 3 + 9 = 14; index 7 is i64's maximum, for the overflow case.
const problem = { tier: 1, elements: [2n, 3n, 5n, 7n, -4n, 9n, 1n, I64_MAX], target: 14n };
const SEED = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const erc20 = parseAbi(["function transfer(address to, uint256 amount) returns (bool)"]);

const vouchers = (r: { outputs: Output[] }) =>
  r.outputs.filter((o): o is Extract<Output, { type: "voucher" }> => o.type === "voucher");
const bountyNotices = (r: { outputs: Output[] }) =>
  r.outputs.filter((o) => o.type === "notice").map((o) => decodeBountyNotice(o.payload));

async function withBounty(
  spec: BountySpec = { mode: "explicit", deadline: DEADLINE, problem },
  asset: "ether" | "token" = "token",
  value = 1000n,
) {
  const t = await testDapp();
  const open = (s: BountySpec | Uint8Array, v = value, a = asset) => {
    const execLayerData = s instanceof Uint8Array ? s : encodeBountySpec(s);
    return a === "ether"
      ? t.advance(encodeEtherDeposit({ sender: requester.address, value: v, execLayerData }), {
          msg_sender: ETHER_PORTAL,
        })
      : t.advance(encodeErc20Deposit({ token, sender: requester.address, value: v, execLayerData }), {
          msg_sender: ERC20_PORTAL,
        });
  };
  const opened = open(spec);
  const solve = (indices: number[], at = T0, from = solver.account.address, bountyId = 1n) =>
    t.advance(encodeBountySolution({ bountyId, indices }), { msg_sender: from, block_timestamp: at });
  const refund = (at: number, from = other.account.address, bountyId = 1n) =>
    t.advance(encodeBountyRefundClaim({ bountyId }), { msg_sender: from, block_timestamp: at });
  const refused = (r: ReturnType<typeof solve>, before: string, reason: string, detail?: string) => {
    expect(r.status).toBe("reject");
    expect(r.outputs.every((o) => o.type === "report")).toBe(true);
    expect(reports(r).at(-1)).toMatchObject({ type: "rejected", reason, ...(detail === undefined ? {} : { detail }) });
    expect(toHex(t.dapp.stateHash())).toBe(before);
  };
  const hash = () => toHex(t.dapp.stateHash());
  return { ...t, open, opened, solve, refund, refused, hash };
}

describe("the seeded generator", () => {
  it("gives fixed elements for a fixed seed", () => {
    const p = generateProblem(2, SEED);
    expect(p.elements).toEqual([
      1018400618638n,
      166438315187n,
      -957522049444n,
      -322387900660n,
      -574362322323n,
      -35920624410n,
      734951242692n,
      1002615837256n,
      986916987664n,
      89208248729n,
      790517018167n,
      -361291974849n,
      788387115604n,
      -910367586928n,
      -68866794107n,
      -1016089835135n,
    ]);
    expect(p.target).toBe(-840293009598n);
    expect(p.planted).toEqual([1, 2, 3, 4, 6, 7, 9, 13, 14]);
  });

  it("follows the documented formula (checked with @noble's keccak)", () => {
    const H = (label: number, i: number) =>
      keccak_256(
        concatBytes(
          new TextEncoder().encode("lcore/v1/subset-sum"),
          Uint8Array.of(label),
          SEED,
          Uint8Array.of(i >>> 24, (i >>> 16) & 255, (i >>> 8) & 255, i & 255),
        ),
      );
    const p = generateProblem(3, SEED);
    expect(p.elements.length).toBe(16 + (H(0, 0)[0]! % 5));
    for (let i = 0; i < p.elements.length; i++) {
      const v = H(1, i)
        .slice(0, 8)
        .reduce((a, b) => (a << 8n) | BigInt(b), 0n);
      expect(p.elements[i]).toBe((v % (1n << 41n)) - (1n << 40n));
    }
  });

  it("sizes every tier within its range and plants a subset that verifies", () => {
    for (let tier = 1; tier <= 5; tier++) {
      for (let k = 0; k < 20; k++) {
        const seed = keccak_256(Uint8Array.of(tier, k));
        const p = generateProblem(tier, seed);
        expect(p.elements.length).toBeGreaterThanOrEqual(TIER_SIZES[tier]![0]);
        expect(p.elements.length).toBeLessThanOrEqual(TIER_SIZES[tier]![1]);
        expect(verifySubsetSum(p, p.planted)).toEqual({ ok: true });
      }
    }
  });
});

describe("bounty codec", () => {
  it("round-trips both bounty forms, negative i64 included", () => {
    for (const s of [
      { mode: "explicit", deadline: DEADLINE, problem: { ...problem, elements: [...problem.elements, -(1n << 63n)] } },
      { mode: "seeded", deadline: 5n, tier: 4, seed: SEED },
    ] as BountySpec[])
      expect(decodeBountySpec(encodeBountySpec(s))).toEqual(s);
  });
});

describe("bounties", () => {
  it("opens a bounty from an ERC-20 deposit: the amount is locked, not credited; the problem is readable over inspect", async () => {
    const b = await withBounty();
    expect(b.opened.status).toBe("accept");
    expect(bountyNotices(b.opened)).toEqual([
      {
        kind: "bounty",
        stateHash: b.dapp.stateHash(),
        bountyId: 1n,
        event: "opened",
        party: requester.address,
        asset: token,
        amount: 1000n,
        deadline: DEADLINE,
      },
    ]);
    expect(b.inspect(`balances/${toHex(requester.address)}`).body.balances).toEqual([]);
    expect(b.inspect("bounty/1").body).toEqual({
      id: "1",
      requester: toHex(requester.address),
      asset: toHex(token),
      amount: "1000",
      tier: 1,
      elements: problem.elements.map(String),
      target: "14",
      deadline: DEADLINE.toString(),
      status: "open",
      solver: null,
      openedInput: "0",
      closedInput: null,
    });
    expect(b.inspect("bounty/2").body.error).toBe("not_found");
  });

  it("opens a seeded bounty with the generated problem", async () => {
    const b = await withBounty({ mode: "seeded", deadline: DEADLINE, tier: 2, seed: SEED }, "ether");
    const p = generateProblem(2, SEED);
    expect(b.inspect("bounty/1").body).toMatchObject({
      asset: toHex(ETHER_ASSET),
      tier: 2,
      elements: p.elements.map(String),
      target: p.target.toString(),
    });
    const r = b.solve(p.planted);
    expect(r.status).toBe("accept");
    expect(vouchers(r)).toEqual([
      { type: "voucher", destination: solver.address, value: 1000n, payload: new Uint8Array(0) },
    ]);
  });

  it("refuses a bad bounty but credits the deposit to the depositor, with the reason in a report", async () => {
    const b = await withBounty();
    const cases: [BountySpec | Uint8Array, string, bigint?][] = [
      [Uint8Array.of(0x30, 1, 0), "bad_bounty"],
      [Uint8Array.of(0x99), "bad_bounty"],
      [
        { mode: "explicit", deadline: DEADLINE, problem: { ...problem, elements: problem.elements.slice(0, 5) } },
        "bad_problem",
      ],
      [{ mode: "explicit", deadline: DEADLINE, problem: { ...problem, tier: 6 } }, "bad_problem"],
      [{ mode: "seeded", deadline: DEADLINE, tier: 0, seed: SEED }, "bad_problem"],
      [{ mode: "explicit", deadline: BigInt(T0), problem }, "deadline_passed"],
      [{ mode: "explicit", deadline: 1n << 63n, problem }, "deadline_passed"],
      [{ mode: "explicit", deadline: DEADLINE, problem }, "zero_amount", 0n],
    ];
    let credited = 0n;
    for (const [spec, reason, value] of cases) {
      const r = b.open(spec, value ?? 10n);
      expect(r.status).toBe("accept");
      expect(reports(r)).toEqual([expect.objectContaining({ type: "bounty_refused", reason })]);
      credited += value ?? 10n;
      expect(b.inspect(`balances/${toHex(requester.address)}`).body.balances).toEqual([
        { asset: toHex(token), amount: credited.toString() },
      ]);
    }
    expect(b.inspect("bounty/2").body.error).toBe("not_found");
  });

  it("rejects invalid solutions with verifySubsetSum's reason: nothing paid, nothing changed", async () => {
    const b = await withBounty();
    const before = b.hash();
    b.refused(b.solve([0, 1]), before, "invalid_solution", "mismatch");
    b.refused(b.solve([]), before, "invalid_solution", "empty");
    b.refused(b.solve([0, 8]), before, "invalid_solution", "out-of-range");
    b.refused(b.solve([0, 1, 0]), before, "invalid_solution", "duplicate");
    b.refused(b.solve([7, 6]), before, "invalid_solution", "overflow");
    b.refused(b.solve([0, 1, 5], T0, solver.account.address, 2n), before, "unknown_bounty");
    expect(b.inspect("bounty/1").body.status).toBe("open");
  });

  it("pays the first valid solver by an ERC-20 transfer voucher; a second solution is refused", async () => {
    const b = await withBounty();
    const r = b.solve([5, 1, 0]);
    expect(r.status).toBe("accept");
    const [v] = vouchers(r);
    expect([toHex(v!.destination), v!.value]).toEqual([toHex(token), 0n]);
    expect(decodeFunctionData({ abi: erc20, data: toHex(v!.payload) }).args).toEqual([solver.account.address, 1000n]);
    expect(bountyNotices(r)).toMatchObject([{ event: "paid", party: solver.address, amount: 1000n }]);
    expect(b.inspect("bounty/1").body).toMatchObject({
      status: "paid",
      solver: toHex(solver.address),
      closedInput: "1",
    });
    b.refused(b.solve([0, 1, 5], T0, other.account.address), b.hash(), "bounty_closed", "bounty 1 was already paid");
    b.refused(b.refund(T0 + 5000), b.hash(), "bounty_closed");
  });

  it("accepts a solution at the deadline, refuses it after", async () => {
    const late = await withBounty();
    late.refused(late.solve([0, 1, 5], T0 + 1001), late.hash(), "bounty_expired");
    const onTime = await withBounty();
    expect(onTime.solve([0, 1, 5], T0 + 1000).status).toBe("accept");
  });

  it("refunds the requester after the deadline, on anyone's claim; once only", async () => {
    const b = await withBounty({ mode: "explicit", deadline: DEADLINE, problem }, "ether", 777n);
    b.refused(b.refund(T0 + 1000), b.hash(), "bounty_not_expired");
    const r = b.refund(T0 + 1001);
    expect(r.status).toBe("accept");
    expect(vouchers(r)).toEqual([
      { type: "voucher", destination: requester.address, value: 777n, payload: new Uint8Array(0) },
    ]);
    expect(bountyNotices(r)).toMatchObject([{ event: "refunded", party: requester.address, amount: 777n }]);
    b.refused(b.refund(T0 + 2000), b.hash(), "bounty_closed", "bounty 1 was already refunded");
    b.refused(b.solve([0, 1, 5], T0 + 2000), b.hash(), "bounty_closed");
    b.refused(b.refund(T0 + 2000, other.account.address, 9n), b.hash(), "unknown_bounty");
  });

  it("bounds the index list at decode", async () => {
    const b = await withBounty();
    const payload = Uint8Array.from([
      InputKind.BountySolution,
      1,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      1,
      MAX_SOLUTION_INDICES + 1,
      ...new Uint8Array(4 * (MAX_SOLUTION_INDICES + 1)),
    ]);
    b.refused(b.advance(payload), b.hash(), "bad_count");
  });
});
