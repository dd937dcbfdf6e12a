// The node's store on its own: sequence and identity checks, results, epochs and paging,
// claims read from the chain, rollbacks to a block, and the migration from schema 1.

import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { keccak256, toHex } from "viem";
import { StateMismatchError } from "@lcore/devnet";
import { Store, type NewInput, type Scan } from "../src/store.js";
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
  blockHash: blockHash(blockNumber),
});
const blockHash = (n: number, fork = 0) => toHex(n + 1000 * fork, { size: 32 });
const scan = (inputs: NewInput[], to: number, extra: Partial<Scan> = {}): Scan => ({
  inputs,
  executions: [],
  claims: [],
  scannedTo: { number: to, hash: blockHash(to) },
  epochLength: 4,
  ...extra,
});
const ROOT = toHex(9, { size: 32 });

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
    store.recordScan(scan([input(0, 5), input(1, 7), input(2, 8)], 9));
    expect(store.inputCount()).toBe(3);
    expect(store.checkpoint()).toEqual({ number: 9, hash: blockHash(9) });
    // A gap, or another input at an index the store has, breaks the sequence and leaves nothing behind.
    expect(store.recordScan(scan([input(4, 10)], 10)).break).toEqual({ index: 4, expected: 3, conflict: false });
    const other = { ...input(2, 8), raw: toHex(99, { size: 4 }) };
    expect(store.recordScan(scan([other, input(3, 10)], 10)).break).toEqual({ index: 2, expected: 3, conflict: true });
    expect(store.lastScannedBlock()).toBe(9);
    expect(store.inputCount()).toBe(3);
    // The same input read again (a range read twice) is no break.
    expect(store.recordScan(scan([input(2, 8)], 9)).break).toBeUndefined();
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
      ROOT,
      new Map([
        [0, siblings],
        [1, siblings],
      ]),
    );
    expect(store.getOutput(1)!.siblings).toEqual(siblings);
    expect(store.getEpoch(1)).toMatchObject({ status: "CLAIM_COMPUTED", outputsRoot: ROOT });
    store.recordScan(
      scan([], 12, { executions: [{ outputIndex: 1, txHash: toHex(3, { size: 32 }), blockNumber: 12 }] }),
    );
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

  it("counts an epoch accepted only while the chain's ClaimAccepted for its root is read", () => {
    const { store } = open();
    store.recordScan(scan([input(0, 5), input(1, 7)], 8));
    for (const i of [0, 1]) {
      store.recordResult(store.nextUnprocessedInput()!, {
        status: "ACCEPTED",
        outputs: [encodeNotice(toHex(i, { size: 1 }))],
        hashes: [keccak256(encodeNotice(toHex(i, { size: 1 })))],
        reports: [],
        outputsHash: ROOT,
      });
    }
    store.sealEpoch(1, ROOT, new Map());
    store.setEpochStatus(1, "CLAIM_SUBMITTED", toHex(5, { size: 32 }));
    const claim = (root: `0x${string}`, blockNumber: number) => ({
      lastBlock: 7,
      outputsRoot: root,
      txHash: toHex(6, { size: 32 }),
      blockNumber,
    });
    // Another root for the epoch: not the node's claim.
    expect(store.recordScan(scan([], 9, { claims: [claim(toHex(8, { size: 32 }), 9)] })).accepted).toEqual([]);
    expect(store.getEpoch(1)!.status).toBe("CLAIM_SUBMITTED");
    const { accepted } = store.recordScan(scan([], 10, { claims: [claim(ROOT, 10)] }));
    expect(accepted.map((e) => [e.index, e.status, e.claimTxHash])).toEqual([
      [1, "CLAIM_ACCEPTED", toHex(6, { size: 32 })],
    ]);
    expect(store.lastAcceptedEpochIndex()).toBe(1);
    // A rollback below the claim's block takes the acceptance back, not the epoch.
    expect(store.rollback(9, blockHash(9))).toEqual({ inputsFrom: 2, processedRemoved: 0, outputsFrom: 2 });
    expect(store.getEpoch(1)).toMatchObject({ status: "CLAIM_SUBMITTED", outputsRoot: ROOT });
    expect(store.lastAcceptedEpochIndex()).toBeUndefined();
    expect(store.acceptedClaim(7)).toBeUndefined();
    store.close();
  });

  it("rolls back to a block: what came after goes, the epoch the block falls in opens again", () => {
    const { store } = open();
    store.recordScan(scan([input(0, 5), input(1, 9), input(2, 10), input(3, 13)], 13));
    for (let i = 0; i < 3; i++) {
      const outputs = [encodeNotice(toHex(i, { size: 1 }))];
      store.recordResult(store.nextUnprocessedInput()!, {
        status: "ACCEPTED",
        outputs,
        hashes: outputs.map((o) => keccak256(o)),
        reports: ["0xaa"],
        outputsHash: ROOT,
      });
    }
    const siblings = Array.from({ length: 63 }, (_, k) => toHex(k, { size: 32 }));
    store.sealEpoch(1, ROOT, new Map([[0, siblings]]));
    store.sealEpoch(2, ROOT, new Map([[1, siblings]]));
    store.recordScan(
      scan([], 14, { executions: [{ outputIndex: 0, txHash: toHex(1, { size: 32 }), blockNumber: 14 }] }),
    );
    expect(store.processedInputCountAfter(9)).toBe(1);
    expect(store.inputAtOrBelow(9, 0)!.index).toBe(1);
    expect(store.inputAtOrBelow(9, 1)!.index).toBe(0);
    expect(store.inputAtOrBelow(4, 0)).toBeUndefined();

    // Back to block 9: inputs 2 and 3 (blocks 10 and 13) go, with input 2's output and report;
    // epoch 2 (blocks 8-11) keeps input 1 and opens again; epoch 3 has no input left.
    expect(store.rollback(9, blockHash(9, 1))).toEqual({ inputsFrom: 2, processedRemoved: 1, outputsFrom: 2 });
    expect(store.inputCount()).toBe(2);
    expect(store.processedInputCount()).toBe(2);
    expect(store.outputCount()).toBe(2);
    expect(store.listReports({}, { limit: 10, offset: 0 }).total).toBe(2);
    expect(store.checkpoint()).toEqual({ number: 9, hash: blockHash(9, 1) });
    expect(store.getOutput(0)!.executionTxHash).toBeNull();
    expect(store.getOutput(0)!.siblings).toEqual(siblings); // epoch 1 ended at block 7: untouched
    expect(store.getOutput(1)!.siblings).toBeNull();
    const epochs = store.listEpochs({}, { limit: 10, offset: 0 }).rows;
    expect(epochs.map((e) => [e.index, e.inputLower, e.inputUpper, e.status, e.outputsRoot])).toEqual([
      [1, 0, 1, "CLAIM_COMPUTED", ROOT],
      [2, 1, 2, "OPEN", null],
    ]);
    // The new canonical inputs continue the sequence.
    expect(store.recordScan(scan([{ ...input(2, 11), raw: toHex(77, { size: 4 }) }], 12)).break).toBeUndefined();
    expect(store.listEpochs({}, { limit: 10, offset: 0 }).rows.map((e) => [e.index, e.inputUpper])).toEqual([
      [1, 1],
      [2, 3],
    ]);
    // Back before the deployment: nothing left.
    store.rollback(-1, null);
    expect([store.inputCount(), store.outputCount(), store.checkpoint()]).toEqual([0, 0, undefined]);
    expect(store.listEpochs({}, { limit: 10, offset: 0 }).total).toBe(0);
    store.close();
  });

  it("migrates a schema-1 store: reads the chain again, takes no claim as accepted until it is read", () => {
    const { store, path } = open();
    store.recordScan(scan([input(0, 5)], 9));
    store.sealEpoch(1, ROOT, new Map());
    store.setEpochStatus(1, "CLAIM_ACCEPTED");
    store.close();
    // What schema 1 had: no block hash, no execution block, no claims.
    const db = new Database(path);
    db.exec(`DROP INDEX executions_block; ALTER TABLE executions DROP COLUMN block_number;
      ALTER TABLE inputs DROP COLUMN block_hash; DROP TABLE claims; DELETE FROM meta WHERE key = 'last_scanned_hash';
      UPDATE meta SET value = '1' WHERE key = 'schema_version';`);
    db.close();
    const again = Store.open(path);
    expect(again.getMeta("schema_version")).toBe("2");
    expect(again.checkpoint()).toBeUndefined();
    expect(again.getInput(0)!.blockHash).toBeNull();
    expect(again.getEpoch(1)!.status).toBe("CLAIM_SUBMITTED");
    // Read again, the input gets its hash.
    expect(again.recordScan(scan([input(0, 5)], 9)).break).toBeUndefined();
    expect(again.getInput(0)!.blockHash).toBe(blockHash(5));
    again.close();
  });
});
