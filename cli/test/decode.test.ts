// `lcore decode`: each kind of thing a node serves as hex comes back as JSON with the
// protocol's field names; run as a user runs it (the linked bin), and as a function.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { encodeNotice } from "@lcore/protocol/notices";
import { encodeRecordAggregateCall, encodeSettlePeriodCall, encodeSettlementNotice } from "@lcore/protocol/settlement";
import { encodeBalancesNotice, erc20TransferCall } from "@lcore/protocol/wallet";
import { bytesToHex, getAddress, stringToHex } from "viem";
import { describe, expect, it } from "vitest";
import { DecodeInputError, decodeHex } from "@lcore/protocol/decode";
import { encodeNotice as encodeNoticeOutput, encodeVoucher } from "@lcore/devnet";

const run = promisify(execFile);
const STATE = new Uint8Array(32).fill(0x11);
const ROOT = new Uint8Array(32).fill(0x22);
const DEVICE = new Uint8Array(20).fill(0xd1);
const OWNER = new Uint8Array(20).fill(0xa1);
const KEY = new Uint8Array(64).fill(0x33);
const SETTLEMENT = getAddress("0x00000000000000000000000000000000000000e5");

describe("lcore decode", () => {
  it("reads a device notice, from the v2 Notice output or from its bare payload", () => {
    const payload = encodeNotice({
      kind: "device_registered",
      stateHash: STATE,
      device: DEVICE,
      owner: OWNER,
      publicKey: KEY,
    });
    const expected = {
      type: "notice",
      notice: {
        kind: "device_registered",
        stateHash: bytesToHex(STATE),
        device: bytesToHex(DEVICE),
        owner: bytesToHex(OWNER),
        publicKey: bytesToHex(KEY),
      },
    };
    expect(decodeHex(bytesToHex(payload))).toEqual(expected);
    expect(decodeHex(encodeNoticeOutput(bytesToHex(payload)))).toEqual(expected);
  });

  it("reads records-accepted, settlement and balances notices with integers as decimal strings", () => {
    const accepted = encodeNotice({
      kind: "records_accepted",
      stateHash: STATE,
      records: [{ device: DEVICE, seq: 2n ** 63n + 5n, recordHash: ROOT }],
    });
    expect(decodeHex(bytesToHex(accepted))).toEqual({
      type: "notice",
      notice: {
        kind: "records_accepted",
        stateHash: bytesToHex(STATE),
        records: [{ device: bytesToHex(DEVICE), seq: "9223372036854775813", recordHash: bytesToHex(ROOT) }],
      },
    });
    const settled = encodeSettlementNotice({
      stateHash: STATE,
      period: 491_234n,
      recordsRoot: ROOT,
      recordCount: 7n,
      firstRecord: 1n,
      devicesRoot: ROOT,
      deviceCount: 1n,
      summaries: [{ device: DEVICE, count: 7n, firstSeq: 3n, lastSeq: 9n }],
    });
    expect(decodeHex(bytesToHex(settled))).toMatchObject({
      notice: {
        kind: "period_settled",
        period: "491234",
        recordCount: "7",
        firstRecord: "1",
        deviceCount: "1",
        summaries: [{ device: bytesToHex(DEVICE), count: "7", firstSeq: "3", lastSeq: "9" }],
        recordsRoot: bytesToHex(ROOT),
      },
    });
    const balances = encodeBalancesNotice({
      stateHash: STATE,
      balances: [{ owner: OWNER, asset: new Uint8Array(20), balance: 10n ** 30n }],
    });
    expect(decodeHex(bytesToHex(balances))).toMatchObject({
      notice: {
        kind: "balances",
        balances: [{ owner: bytesToHex(OWNER), balance: "1000000000000000000000000000000" }],
      },
    });
  });

  it("reads vouchers: the settlement call and a withdrawal's ERC-20 transfer by name and arguments", () => {
    const settle = encodeVoucher(
      SETTLEMENT,
      0n,
      bytesToHex(
        encodeSettlePeriodCall({
          period: 12n,
          recordsRoot: ROOT,
          recordCount: 3n,
          stateHash: STATE,
          devicesRoot: ROOT,
          deviceCount: 2n,
        }),
      ),
    );
    expect(decodeHex(settle)).toEqual({
      type: "voucher",
      destination: SETTLEMENT,
      value: "0",
      call: {
        function: "settlePeriod",
        args: {
          period: "12",
          recordsRoot: bytesToHex(ROOT),
          recordCount: "3",
          stateHash: bytesToHex(STATE),
          devicesRoot: bytesToHex(ROOT),
          deviceCount: "2",
        },
      },
    });
    const transfer = encodeVoucher(SETTLEMENT, 0n, bytesToHex(erc20TransferCall(OWNER, 5n)));
    expect(decodeHex(transfer)).toMatchObject({
      call: { function: "transfer", args: { to: getAddress(bytesToHex(OWNER)), amount: "5" } },
    });
    // Ether withdrawal: value, no call data.
    expect(decodeHex(encodeVoucher(SETTLEMENT, 9n, "0x"))).toEqual({
      type: "voucher",
      destination: SETTLEMENT,
      value: "9",
      call: { payload: "0x" },
    });
  });

  it("reads the voucher payloads GraphQL serves (`voucher.payload`): settlement, aggregate and transfer calls", () => {
    const settle = decodeHex(
      bytesToHex(
        encodeSettlePeriodCall({
          period: 491_234n,
          recordsRoot: ROOT,
          recordCount: 3n,
          stateHash: STATE,
          devicesRoot: STATE,
          deviceCount: 1n,
        }),
      ),
    );
    expect(settle).toEqual({
      type: "voucher_payload",
      call: {
        function: "settlePeriod",
        args: {
          period: "491234",
          recordsRoot: bytesToHex(ROOT),
          recordCount: "3",
          stateHash: bytesToHex(STATE),
          devicesRoot: bytesToHex(STATE),
          deviceCount: "1",
        },
      },
    });
    const aggregate = encodeRecordAggregateCall({
      device: DEVICE,
      period: 20_500n,
      count: 1440n,
      sum: -(2n ** 100n),
      min: -5n,
      max: 2n ** 62n,
      stateHash: STATE,
    });
    expect(decodeHex(bytesToHex(aggregate))).toEqual({
      type: "voucher_payload",
      call: {
        function: "recordAggregate",
        args: {
          device: getAddress(bytesToHex(DEVICE)),
          period: "20500",
          count: "1440",
          sum: (-(2n ** 100n)).toString(),
          min: "-5",
          max: (2n ** 62n).toString(),
          stateHash: bytesToHex(STATE),
        },
      },
    });
    expect(decodeHex(bytesToHex(erc20TransferCall(OWNER, 5n)))).toMatchObject({
      type: "voucher_payload",
      call: { function: "transfer", args: { amount: "5" } },
    });
  });

  it("reads reports and inspect answers (JSON), and refuses what is not hex or not ours", () => {
    const report = { type: "rejected", input: "4", reason: "bad_signature", detail: "record 0" };
    expect(decodeHex(stringToHex(JSON.stringify(report)))).toEqual({ type: "report", report });
    expect(() => decodeHex("0xzz")).toThrow(DecodeInputError);
    expect(() => decodeHex("0x123")).toThrow(DecodeInputError);
    expect(() => decodeHex("0x8101")).toThrow(/not a valid notice/);
    expect(() => decodeHex("0x00ff00fe")).toThrow(/not an lcore output/);
  });

  it("works from the command line (the linked `lcore` bin), from arguments and from stdin", async () => {
    const payload = bytesToHex(encodeNotice({ kind: "device_revoked", stateHash: STATE, device: DEVICE }));
    const { stdout } = await run("npx", ["lcore", "decode", payload]);
    expect(JSON.parse(stdout)).toEqual({
      type: "notice",
      notice: { kind: "device_revoked", stateHash: bytesToHex(STATE), device: bytesToHex(DEVICE) },
    });
    const child = run("npx", ["lcore", "decode"]);
    child.child.stdin!.end(`${payload}\n`);
    expect(JSON.parse((await child).stdout)).toMatchObject({ notice: { kind: "device_revoked" } });
    await expect(run("npx", ["lcore", "decode", "0xnothex"])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("expected hex bytes"),
    });
  });
});
