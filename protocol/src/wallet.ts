// The wallet's byte formats (PROTOCOL §Wallet): the two portal deposit payloads, the
// internal transfer (0x20) and withdrawal (0x21) inputs, the balances notice (0xa0),
// uint256 amounts, and the ERC-20 `transfer` call a withdrawal voucher carries.
//
//   Ether deposit  (msg_sender = EtherPortal)  = sender(20) value(32) execLayerData
//   ERC-20 deposit (msg_sender = ERC20Portal)  = token(20) sender(20) value(32) execLayerData
//   transfer       = 0x20 0x01 asset(20) to(20) amount(32)
//   withdrawal     = 0x21 0x01 asset(20) amount(32)
//   balances notice = 0xa0 0x01 stateHash(32) count(u8) (owner(20) asset(20) balance(32)) × count
//
// An asset is 20 bytes: the ERC-20 token's address, or 20 zero bytes for Ether.
// Amounts are uint256, big-endian, exact (bigint).

import { ByteReader, ByteWriter, equalBytes } from "./bytes.js";
import { DecodeError } from "./errors.js";
import { InputKind, VERSION_1 } from "./kinds.js";

export const ETHER_ASSET: Uint8Array = new Uint8Array(20);
export const U256_LIMIT = 1n << 256n;
export const WalletNoticeKind = { Balances: 0xa0 } as const;
/** Most balance entries one notice lists (a transfer changes 2, a deposit or withdrawal 1). */
export const MAX_BALANCE_ENTRIES = 255;

export function isEther(asset: Uint8Array): boolean {
  return equalBytes(asset, ETHER_ASSET);
}

export function u256FromBytes(b: Uint8Array): bigint {
  if (b.length !== 32) throw new RangeError("uint256 takes 32 bytes");
  let v = 0n;
  for (let i = 0; i < 32; i++) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

export function u256Bytes(v: bigint): Uint8Array {
  if (typeof v !== "bigint" || v < 0n || v >= U256_LIMIT) throw new RangeError(`uint256 out of range: ${String(v)}`);
  const out = new Uint8Array(32);
  let x = v;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

export function readU256(r: ByteReader, what: string): bigint {
  return u256FromBytes(r.take(32, what));
}

// ---- Portal deposits. ----

export interface Deposit {
  asset: Uint8Array;
  sender: Uint8Array;
  value: bigint;
  execLayerData: Uint8Array;
}

export function decodeEtherDeposit(payload: Uint8Array): Deposit {
  const r = new ByteReader(payload);
  const sender = r.take(20, "deposit sender").slice();
  const value = readU256(r, "deposit value");
  return { asset: ETHER_ASSET, sender, value, execLayerData: r.take(r.remaining, "execLayerData").slice() };
}

export function decodeErc20Deposit(payload: Uint8Array): Deposit {
  const r = new ByteReader(payload);
  const asset = r.take(20, "deposit token").slice();
  const sender = r.take(20, "deposit sender").slice();
  const value = readU256(r, "deposit value");
  return { asset, sender, value, execLayerData: r.take(r.remaining, "execLayerData").slice() };
}

/** What the EtherPortal sends (abi.encodePacked): for tests and tools. */
export function encodeEtherDeposit(d: { sender: Uint8Array; value: bigint; execLayerData?: Uint8Array }): Uint8Array {
  const x = d.execLayerData ?? new Uint8Array(0);
  return new ByteWriter(52 + x.length).bytes(d.sender, 20).bytes(u256Bytes(d.value)).bytes(x).finish();
}

/** What the ERC20Portal sends (abi.encodePacked): for tests and tools. */
export function encodeErc20Deposit(d: {
  token: Uint8Array;
  sender: Uint8Array;
  value: bigint;
  execLayerData?: Uint8Array;
}): Uint8Array {
  const x = d.execLayerData ?? new Uint8Array(0);
  return new ByteWriter(72 + x.length)
    .bytes(d.token, 20)
    .bytes(d.sender, 20)
    .bytes(u256Bytes(d.value))
    .bytes(x)
    .finish();
}

// ---- Inputs 0x20 and 0x21. ----

export interface WalletTransfer {
  kind: "wallet_transfer";
  asset: Uint8Array;
  to: Uint8Array;
  amount: bigint;
}

export interface Withdrawal {
  kind: "withdrawal";
  asset: Uint8Array;
  amount: bigint;
}

export function readWalletTransfer(r: ByteReader): WalletTransfer {
  const asset = r.take(20, "asset").slice();
  const to = r.take(20, "recipient").slice();
  const amount = readU256(r, "amount");
  r.end("wallet transfer");
  return { kind: "wallet_transfer", asset, to, amount };
}

export function readWithdrawal(r: ByteReader): Withdrawal {
  const asset = r.take(20, "asset").slice();
  const amount = readU256(r, "amount");
  r.end("withdrawal");
  return { kind: "withdrawal", asset, amount };
}

export function encodeWalletTransfer(p: Omit<WalletTransfer, "kind">): Uint8Array {
  return new ByteWriter(74)
    .u8(InputKind.WalletTransfer)
    .u8(VERSION_1)
    .bytes(p.asset, 20)
    .bytes(p.to, 20)
    .bytes(u256Bytes(p.amount))
    .finish();
}

export function encodeWithdrawal(p: Omit<Withdrawal, "kind">): Uint8Array {
  return new ByteWriter(54)
    .u8(InputKind.Withdrawal)
    .u8(VERSION_1)
    .bytes(p.asset, 20)
    .bytes(u256Bytes(p.amount))
    .finish();
}

// ---- Voucher payloads. ----

/** keccak256("transfer(address,uint256)")[0..4]. */
export const ERC20_TRANSFER_SELECTOR = Uint8Array.of(0xa9, 0x05, 0x9c, 0xbb);

/** ABI call data of `transfer(to, amount)`: selector, the address left-padded to 32 bytes, the amount. */
export function erc20TransferCall(to: Uint8Array, amount: bigint): Uint8Array {
  return new ByteWriter(68)
    .bytes(ERC20_TRANSFER_SELECTOR)
    .bytes(new Uint8Array(12))
    .bytes(to, 20)
    .bytes(u256Bytes(amount))
    .finish();
}

// ---- The balances notice. ----

export interface BalanceEntry {
  owner: Uint8Array;
  asset: Uint8Array;
  balance: bigint;
}

export interface BalancesNotice {
  kind: "balances";
  stateHash: Uint8Array;
  balances: BalanceEntry[];
}

export function encodeBalancesNotice(n: Omit<BalancesNotice, "kind">): Uint8Array {
  if (n.balances.length > MAX_BALANCE_ENTRIES) throw new RangeError(`over ${MAX_BALANCE_ENTRIES} balance entries`);
  const w = new ByteWriter(35 + 72 * n.balances.length)
    .u8(WalletNoticeKind.Balances)
    .u8(VERSION_1)
    .bytes(n.stateHash, 32)
    .u8(n.balances.length);
  for (const b of n.balances) w.bytes(b.owner, 20).bytes(b.asset, 20).bytes(u256Bytes(b.balance));
  return w.finish();
}

export function decodeBalancesNotice(bytes: Uint8Array): BalancesNotice {
  const r = new ByteReader(bytes);
  const kind = r.u8("notice kind");
  if (kind !== WalletNoticeKind.Balances)
    throw new DecodeError("unknown_kind", `notice kind 0x${kind.toString(16).padStart(2, "0")}`);
  const version = r.u8("notice version");
  if (version !== VERSION_1) throw new DecodeError("unsupported_version", `notice version ${version}`);
  const stateHash = r.take(32, "state hash").slice();
  const count = r.u8("count");
  const balances: BalanceEntry[] = [];
  for (let i = 0; i < count; i++) {
    balances.push({
      owner: r.take(20, "owner").slice(),
      asset: r.take(20, "asset").slice(),
      balance: readU256(r, "balance"),
    });
  }
  r.end("balances notice");
  return { kind: "balances", stateHash, balances };
}
