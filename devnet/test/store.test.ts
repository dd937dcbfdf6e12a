// The node's store on its own: sequence and identity checks, results, epochs and paging.

import { afterEach, describe, expect, it } from "vitest";
import { keccak256, toHex } from "viem";
import { StateMismatchError } from "@lcore/devnet";
import { Store, type NewInput } from "../src/store.js";
import { encodeNotice, encodeVoucher } from "../src/outputs.js";
import { tempDir } from "./helpers.js";

const SENDER = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
const input = (index: number, blockNumber: number): NewInput => ({
  index,
  blockNumber,
  blockTimestamp: 1000 + index,
  msgSender: SENDER,
  prevRandao: toHex(7, { size: 32 }),
  chainId: 31337,
  payload: toHex(index, { size: 1 }),
  raw: toHex(index, { size: 4 }),
  txHash: toHex(index, { size: 32 }),
});

const dirs: ReturnType<typeof tempDir>[] = [];
const open = () => {
  const dir = tempDir("store");
  dirs.push(dir);
  return { store: Store.open(`${dir.path}/node.sqlite`), path: `${dir.path}/node.sqlite` };
};
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

describe("Store", () => {
  it("keeps inputs in sequence, groups them in epochs and records results", () => {
    const { store } = open();
    store.recordScan([input(0, 5), input(1, 7), input(2, 8)], [], 9, 4);
    expect(store.inputCount()).toBe(3);
    expect(store.lastScannedBlock()).toBe(9);
    expect(() => store.recordScan([input(4, 10)], [], 10, 4)).toThrow(StateMismatchError);
    expect(store.lastScannedBlock()).toBe(9); // the failed scan left nothing behind
    const epochs = store.listEpochs({}, { limit: 10, offset: 0 }).rows;
    expect(
      epochs.map((e) => [e.index, e.virtualIndex, e.firstBlock, e.lastBlock, e.inputLower, e.inputUpper, e.status]),
    ).toEqual([
      [1, 0, 4, 7, 0, 2, "OPEN"],
      [2, 1, 8, 11, 2, 3, "OPEN"],
    ]);

    const first = store.nextUnprocessedInput()!;
    const outputs = [encodeNotice("0x01"), encodeVoucher(SENDER, 5n, "0x")];
    store.recordResult(first, {
      status: "ACCEPTED",
      outputs,
      hashes: outputs.map((o) => keccak256(o)),
      reports: ["0xaa"],
      outputsHash: toHex(1, { size: 32 }),
    });
    expect(() =>
      store.recordResult(first, {
        status: "ACCEPTED",
        outputs: [],
        hashes: [],
        reports: [],
        outputsHash: toHex(1, { size: 32 }),
      }),
    ).toThrow(StateMismatchError);
    const second = store.nextUnprocessedInput()!;
    store.recordResult(second, {
      status: "REJECTED",
      outputs: [],
      hashes: [],
      reports: ["0xbb"],
      outputsHash: toHex(1, { size: 32 }),
    });
    expect(store.processedInputCount()).toBe(2);
    expect(store.outputCount()).toBe(2);
    expect(store.listReports({}, { limit: 10, offset: 0 }).rows.map((r) => [r.index, r.inputIndex, r.payload])).toEqual(
      [
        [0, 0, "0xaa"],
        [1, 1, "0xbb"],
      ],
    );
    expect(
      store
        .listOutputs(
          { types: ["Voucher"], destination: SENDER.toUpperCase().replace("0X", "0x") as `0x${string}` },
          { limit: 10, offset: 0 },
        )
        .rows.map((o) => o.index),
    ).toEqual([1]);
    expect(store.listOutputs({ types: [] }, { limit: 10, offset: 0 })).toEqual({ rows: [], total: 0 });

    const siblings = Array.from({ length: 63 }, (_, k) => toHex(k, { size: 32 }));
    store.sealEpoch(
      1,
      toHex(9, { size: 32 }),
      new Map([
        [0, siblings],
        [1, siblings],
      ]),
    );
    expect(store.getOutput(1)!.siblings).toEqual(siblings);
    expect(store.getEpoch(1)).toMatchObject({ status: "CLAIM_COMPUTED", outputsRoot: toHex(9, { size: 32 }) });
    store.recordScan([], [{ outputIndex: 1, txHash: toHex(3, { size: 32 }) }], 12, 4);
    expect(store.getOutput(1)!.executionTxHash).toBe(toHex(3, { size: 32 }));
    const page = store.listInputs({}, { limit: 2, offset: 1, descending: true });
    expect([page.total, page.rows.map((r) => r.index)]).toEqual([3, [1, 0]]);
    store.close();
  });

  it("belongs to one rollup", () => {
    const { store, path } = open();
    const identity = {
      chainId: 31337,
      application: "0x00000000000000000000000000000000000000Aa" as const,
      epochLength: 4,
      deploymentBlock: 3,
    };
    store.bindIdentity(identity);
    store.close();
    const again = Store.open(path);
    expect(() =>
      again.bindIdentity({ ...identity, application: "0x00000000000000000000000000000000000000aa" }),
    ).not.toThrow();
    expect(() => again.bindIdentity({ ...identity, deploymentBlock: 4 })).toThrow(/another rollup/);
    again.close();
  });
});
