// The wallet: portal deposits, internal transfers, withdrawals as vouchers; exact uint256
// arithmetic, no negative balance, no overflow, no double withdrawal; a rejected input
// changes nothing.
import { describe, expect, it } from "vitest";
import { decodeFunctionData, parseAbi } from "viem";
import type { Output } from "@lcore/dapp";
import { ByteWriter, toHex } from "@lcore/protocol/bytes";
import {
  ETHER_ASSET,
  U256_LIMIT,
  decodeBalancesNotice,
  decodeErc20Deposit,
  decodeEtherDeposit,
  encodeErc20Deposit,
  encodeEtherDeposit,
  encodeWalletTransfer,
  encodeWithdrawal,
  erc20TransferCall,
  u256Bytes,
  u256FromBytes,
} from "@lcore/protocol/wallet";
import { reports, testDapp, testOwner } from "./helpers.js";

const ETHER_PORTAL = "0xA632c5c05812c6a6149B7af5C56117d1D2603828";
const ERC20_PORTAL = "0xACA6586A0Cf05bD831f2501E7B4aea550dA6562D";
const alice = testOwner("wallet alice");
const bob = testOwner("wallet bob");
const token = Uint8Array.from({ length: 20 }, (_, i) => 0x40 + i);
const MAX = U256_LIMIT - 1n;
const erc20 = parseAbi(["function transfer(address to, uint256 amount) returns (bool)"]);

const balanceNotices = (r: { outputs: Output[] }) =>
  r.outputs.filter((o) => o.type === "notice").map((o) => decodeBalancesNotice(o.payload));
const vouchers = (r: { outputs: Output[] }) =>
  r.outputs.filter((o): o is Extract<Output, { type: "voucher" }> => o.type === "voucher");

async function funded() {
  const t = await testDapp();
  const depositEther = (who: Uint8Array, value: bigint) =>
    t.advance(encodeEtherDeposit({ sender: who, value }), { msg_sender: ETHER_PORTAL });
  const depositToken = (who: Uint8Array, value: bigint) =>
    t.advance(encodeErc20Deposit({ token, sender: who, value }), { msg_sender: ERC20_PORTAL });
  const balances = (who: Uint8Array) =>
    t.inspect(`balances/${toHex(who)}`).body.balances as { asset: string; amount: string }[];
  /** Advance an input that must be rejected with `reason`, leaving the state hash where it was. */
  const refused = (payload: Uint8Array, sender: `0x${string}`, reason: string) => {
    const before = toHex(t.dapp.stateHash());
    const r = t.advance(payload, { msg_sender: sender });
    expect(r.status).toBe("reject");
    expect(r.outputs.every((o) => o.type === "report")).toBe(true);
    expect(reports(r).at(-1)).toMatchObject({ type: "rejected", reason });
    expect(toHex(t.dapp.stateHash())).toBe(before);
    return reports(r).at(-1)!;
  };
  return { ...t, depositEther, depositToken, balances, refused };
}

describe("wallet codec", () => {
  it("round-trips uint256 exactly, bounds included", () => {
    for (const v of [0n, 1n, 255n, 256n, 10n ** 18n, 1n << 255n, MAX]) expect(u256FromBytes(u256Bytes(v))).toBe(v);
    expect(() => u256Bytes(U256_LIMIT)).toThrow(RangeError);
    expect(() => u256Bytes(-1n)).toThrow(RangeError);
  });

  it("ByteWriter keeps u8 and u64 written while it grows (they used to land in the replaced buffer)", () => {
    expect(Array.from(new ByteWriter(1).u8(1).u64(0x0203n).u8(4).u64(5n).finish())).toEqual([
      1, 0, 0, 0, 0, 0, 0, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 5,
    ]);
  });

  it("decodes the portals' packed layouts", () => {
    const x = Uint8Array.of(9, 8, 7);
    expect(decodeEtherDeposit(encodeEtherDeposit({ sender: alice.address, value: MAX, execLayerData: x }))).toEqual({
      asset: ETHER_ASSET,
      sender: alice.address,
      value: MAX,
      execLayerData: x,
    });
    expect(decodeErc20Deposit(encodeErc20Deposit({ token, sender: alice.address, value: 5n }))).toEqual({
      asset: token,
      sender: alice.address,
      value: 5n,
      execLayerData: new Uint8Array(0),
    });
  });

  it("builds the ERC-20 transfer call the ABI way", () => {
    const call = erc20TransferCall(bob.address, 123n);
    expect(decodeFunctionData({ abi: erc20, data: toHex(call) })).toEqual({
      functionName: "transfer",
      args: [bob.account.address, 123n],
    });
  });
});

describe("wallet", () => {
  it("credits Ether and ERC-20 deposits per (owner, asset), with a notice carrying the state hash", async () => {
    const w = await funded();
    const r = w.depositEther(alice.address, 10n ** 18n);
    expect(r.status).toBe("accept");
    expect(balanceNotices(r)).toEqual([
      {
        kind: "balances",
        stateHash: w.dapp.stateHash(),
        balances: [{ owner: alice.address, asset: ETHER_ASSET, balance: 10n ** 18n }],
      },
    ]);
    expect(w.depositToken(alice.address, 7n).status).toBe("accept");
    expect(w.depositToken(alice.address, 5n).status).toBe("accept");
    expect(w.balances(alice.address)).toEqual([
      { asset: toHex(ETHER_ASSET), amount: "1000000000000000000" },
      { asset: toHex(token), amount: "12" },
    ]);
    expect(w.balances(bob.address)).toEqual([]);
  });

  it("transfers internally; no negative balance, zero amounts refused", async () => {
    const w = await funded();
    w.depositToken(alice.address, 100n);
    const r = w.advance(encodeWalletTransfer({ asset: token, to: bob.address, amount: 30n }), {
      msg_sender: alice.account.address,
    });
    expect(r.status).toBe("accept");
    expect(balanceNotices(r)[0]!.balances).toEqual([
      { owner: alice.address, asset: token, balance: 70n },
      { owner: bob.address, asset: token, balance: 30n },
    ]);
    w.refused(
      encodeWalletTransfer({ asset: token, to: bob.address, amount: 71n }),
      alice.account.address,
      "insufficient_balance",
    );
    w.refused(
      encodeWalletTransfer({ asset: ETHER_ASSET, to: bob.address, amount: 1n }),
      alice.account.address,
      "insufficient_balance",
    );
    w.refused(
      encodeWalletTransfer({ asset: token, to: bob.address, amount: 0n }),
      alice.account.address,
      "zero_amount",
    );
    // Everything: alice's row goes, bob holds it all.
    expect(
      w.advance(encodeWalletTransfer({ asset: token, to: bob.address, amount: 70n }), {
        msg_sender: alice.account.address,
      }).status,
    ).toBe("accept");
    expect(w.balances(alice.address)).toEqual([]);
    expect(w.balances(bob.address)).toEqual([{ asset: toHex(token), amount: "100" }]);
  });

  it("refuses any credit that would overflow uint256, and rolls back the debit with it", async () => {
    const w = await funded();
    expect(w.depositToken(bob.address, MAX).status).toBe("accept");
    const before = toHex(w.dapp.stateHash());
    const r = w.depositToken(bob.address, 1n);
    expect(r.status).toBe("reject");
    expect(reports(r).at(-1)).toMatchObject({ reason: "balance_overflow" });
    expect(toHex(w.dapp.stateHash())).toBe(before);
    w.depositToken(alice.address, 1n);
    w.refused(
      encodeWalletTransfer({ asset: token, to: bob.address, amount: 1n }),
      alice.account.address,
      "balance_overflow",
    );
    expect(w.balances(alice.address)).toEqual([{ asset: toHex(token), amount: "1" }]);
    expect(w.balances(bob.address)).toEqual([{ asset: toHex(token), amount: MAX.toString() }]);
  });

  it("withdraws Ether as a voucher with value and ERC-20 as a transfer call, debited in the same input: never twice", async () => {
    const w = await funded();
    w.depositEther(alice.address, 1000n);
    w.depositToken(alice.address, 50n);
    const e = w.advance(encodeWithdrawal({ asset: ETHER_ASSET, amount: 600n }), { msg_sender: alice.account.address });
    expect(e.status).toBe("accept");
    expect(vouchers(e)).toEqual([
      { type: "voucher", destination: alice.address, value: 600n, payload: new Uint8Array(0) },
    ]);
    expect(balanceNotices(e)[0]!.balances).toEqual([{ owner: alice.address, asset: ETHER_ASSET, balance: 400n }]);
    // The same withdrawal again: only 400 left.
    w.refused(encodeWithdrawal({ asset: ETHER_ASSET, amount: 600n }), alice.account.address, "insufficient_balance");

    const t = w.advance(encodeWithdrawal({ asset: token, amount: 50n }), { msg_sender: alice.account.address });
    expect(vouchers(t)).toHaveLength(1);
    const v = vouchers(t)[0]!;
    expect([toHex(v.destination), v.value]).toEqual([toHex(token), 0n]);
    expect(decodeFunctionData({ abi: erc20, data: toHex(v.payload) }).args).toEqual([alice.account.address, 50n]);
    w.refused(encodeWithdrawal({ asset: token, amount: 1n }), alice.account.address, "insufficient_balance");
    w.refused(encodeWithdrawal({ asset: token, amount: 0n }), alice.account.address, "zero_amount");
    // Someone else cannot withdraw alice's Ether.
    w.refused(encodeWithdrawal({ asset: ETHER_ASSET, amount: 1n }), bob.account.address, "insufficient_balance");
    expect(w.balances(alice.address)).toEqual([{ asset: toHex(ETHER_ASSET), amount: "400" }]);
  });

  it("a failure after the debit rolls back the debit and drops the voucher: the savepoint makes a withdrawal atomic", async () => {
    const w = await funded();
    w.depositEther(alice.address, 100n);
    const before = toHex(w.dapp.stateHash());
    // The wallet hash's write, after the debit and the voucher, fails.
    const sql = w.dapp.store.sql;
    const run = sql.run;
    sql.run = (text, params) => {
      if (text.startsWith("INSERT OR REPLACE INTO wallet ")) throw new Error("disk on fire");
      run.call(sql, text, params);
    };
    const r = w.advance(encodeWithdrawal({ asset: ETHER_ASSET, amount: 60n }), { msg_sender: alice.account.address });
    sql.run = run;
    expect(r.status).toBe("reject");
    expect(vouchers(r)).toEqual([]);
    expect(reports(r).at(-1)).toMatchObject({ reason: "internal_error" });
    expect(toHex(w.dapp.stateHash())).toBe(before);
    expect(w.balances(alice.address)).toEqual([{ asset: toHex(ETHER_ASSET), amount: "100" }]);
  });

  it("answers balance and bounty queries, refusing malformed ones", async () => {
    const w = await funded();
    expect(w.inspect("balances/0x12").body.error).toBe("bad_query");
    expect(w.inspect(`balances/${toHex(alice.address)}/x`).body.error).toBe("bad_query");
    expect(w.inspect("bounty/abc").body.error).toBe("bad_query");
    expect(w.inspect("bounty/1").body.error).toBe("not_found");
    expect(w.inspect(`balances/${toHex(alice.address)}`)).toEqual({
      status: "accept",
      body: { owner: toHex(alice.address), balances: [], truncated: false },
    });
  });

  it("folds the balances into the state hash: the same inputs give the same hash, and a row's slot counts", async () => {
    const one = await funded();
    const two = await funded();
    const empty = toHex(one.dapp.stateHash());
    expect(one.inspect("state-hash").body.walletHash).toBeNull();
    one.depositToken(alice.address, 10n);
    expect(toHex(one.dapp.stateHash())).not.toBe(empty);
    expect(one.inspect("state-hash").body.walletHash).toBe(toHex(one.dapp.store.state().walletHash!));
    one.depositToken(bob.address, 5n);
    two.depositToken(alice.address, 10n);
    two.depositToken(bob.address, 5n);
    expect(toHex(two.dapp.stateHash())).toBe(toHex(one.dapp.stateHash()));
    // Same balances by another route: bob's row was created first, so the rows hold other
    // slots of the balances tree (PROTOCOL §8.5, v2) and the hash differs (v1's sorted fold did not).
    const three = await funded();
    three.depositToken(bob.address, 15n);
    three.advance(encodeWalletTransfer({ asset: token, to: alice.address, amount: 10n }), {
      msg_sender: bob.account.address,
    });
    expect(three.balances(alice.address)).toEqual(one.balances(alice.address));
    expect(three.balances(bob.address)).toEqual(one.balances(bob.address));
    expect(toHex(three.dapp.stateHash())).not.toBe(toHex(one.dapp.stateHash()));
  });

  it("rejects a portal payload too short for its layout", async () => {
    const w = await funded();
    const r = w.advance(new Uint8Array(71), { msg_sender: ERC20_PORTAL });
    expect(reports(r).at(-1)).toMatchObject({ reason: "truncated" });
    expect(w.advance(new Uint8Array(51), { msg_sender: ETHER_PORTAL }).status).toBe("reject");
  });
});
