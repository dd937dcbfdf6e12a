import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { SCHEMA_V1, SCHEMA_VERSION } from "../src/outbox/database.js";
import { Outbox } from "../src/outbox/outbox.js";
import type { SealedReading } from "../src/outbox/readingStore.js";
import { type Cleanup, runCleanups, tempDir } from "./helpers/tempDir.js";

const cleanups: Cleanup[] = [];
afterEach(() => runCleanups(cleanups));

function open(path: string, delayMs = 2): Outbox {
  const outbox = new Outbox({ path, groupCommitDelayMs: delayMs, groupCommitReadings: 1000 });
  return outbox;
}

async function registerDevice(outbox: Outbox): Promise<Uint8Array> {
  const address = new Uint8Array(randomBytes(20));
  const input = outbox.inputs.create("registration", new Uint8Array([1, 1]), Date.now());
  await outbox.write([
    input.statement,
    outbox.devices.insertStatement({
      address,
      publicKey: new Uint8Array(randomBytes(64)),
      metadata: "",
      mvpId: null,
      registeredMs: Date.now(),
      inputId: input.id,
    }),
  ]);
  return address;
}

function reading(device: Uint8Array, seq: bigint): SealedReading {
  return {
    device,
    seq,
    timestamp: 1_700_000_000n,
    bodyHash: new Uint8Array(randomBytes(32)),
    digest: new Uint8Array(randomBytes(32)),
    signature: new Uint8Array(randomBytes(64)),
    sealed: new Uint8Array(randomBytes(90)),
    receivedMs: Date.now(),
  };
}

describe("outbox", () => {
  it("keeps committed readings across a reopen, and the device's last seq with them", async () => {
    const dir = tempDir(cleanups);
    const path = `${dir}/outbox.db`;
    const a = open(path);
    const device = await registerDevice(a);
    await a.append([reading(device, 1n), reading(device, 7n)]);
    await a.close();

    const b = open(path);
    expect(b.readings.page(device, 0n, 10).map((r) => r.seq)).toEqual([1n, 7n]);
    expect(b.devices.get(device)?.lastSeq).toBe(7n);
    expect(b.readings.countQueued()).toBe(2);
    await b.close();
  });

  it("commits what arrives while a group is being written as the next group", async () => {
    const dir = tempDir(cleanups);
    const commits: number[] = [];
    const outbox = new Outbox({
      path: `${dir}/outbox.db`,
      groupCommitDelayMs: 5,
      groupCommitReadings: 1000,
      onCommit: (s) => commits.push(s.items),
    });
    const device = await registerDevice(outbox);
    const first = outbox.append([reading(device, 1n)]);
    await new Promise((r) => setTimeout(r, 10)); // the first group is now being written
    await Promise.all([
      first,
      ...Array.from({ length: 50 }, (_, i) => outbox.append([reading(device, BigInt(i + 2))])),
    ]);
    expect(commits).toEqual([1, 50]);
    await outbox.close();
  });

  it("rejects every append of a failed group and stores none of them", async () => {
    const dir = tempDir(cleanups);
    const outbox = open(`${dir}/outbox.db`);
    const device = await registerDevice(outbox);
    await outbox.append([reading(device, 1n)]);
    const good = outbox.append([reading(device, 2n)]);
    const clash = outbox.append([reading(device, 1n)]); // UNIQUE (device, seq)
    await expect(good).rejects.toThrow(/UNIQUE/);
    await expect(clash).rejects.toThrow(/UNIQUE/);
    expect(outbox.readings.page(device, 0n, 10).map((r) => r.seq)).toEqual([1n]);
    expect(outbox.devices.get(device)?.lastSeq).toBe(1n);
    await outbox.close();
  });

  it("writes only through the writer thread: this thread's connection is query-only", async () => {
    const dir = tempDir(cleanups);
    const outbox = open(`${dir}/outbox.db`);
    expect(() => outbox.db.prepare("DELETE FROM readings").run()).toThrow(/readonly|query_only/i);
    await expect(
      outbox.write([{ sql: "UPDATE inputs SET nonce = 1 WHERE id = 999", params: [], expect: 1 }]),
    ).rejects.toThrow(/expected 1 changed rows/);
    await outbox.close();
  });

  it("upgrades a version-1 file in place: its inputs and readings kept, the new input kinds allowed", async () => {
    const path = `${tempDir(cleanups)}/outbox.db`;
    const v1 = new Database(path);
    v1.exec(SCHEMA_V1);
    v1.pragma("user_version = 1");
    v1.prepare(
      "INSERT INTO inputs (id, kind, payload, created_ms, input_index) VALUES (1, 'records', x'0401', 5, 0)",
    ).run();
    v1.prepare(`INSERT INTO readings (device, seq, timestamp, body_hash, digest, signature, sealed, received_ms, input_id, position)
      VALUES (x'00', x'0000000000000001', 1, x'', x'', x'', x'', 5, 1, 0)`).run();
    // Two registrations the node processed before v7: one the dApp rejected, one it accepted.
    v1.prepare(
      "INSERT INTO inputs (id, kind, payload, created_ms, input_index, node_status, reason) VALUES (3, 'registration', x'0101', 5, 1, 'REJECTED', 'device_exists')",
    ).run();
    v1.prepare(
      "INSERT INTO inputs (id, kind, payload, created_ms, input_index, node_status) VALUES (4, 'registration', x'0101', 5, 2, 'ACCEPTED')",
    ).run();
    for (const [address, input] of [
      ["aa", 3],
      ["bb", 4],
    ] as const) {
      v1.prepare(
        `INSERT INTO devices (address, public_key, metadata, registered_ms, input_id) VALUES (x'${address.repeat(20)}', x'${address.repeat(64)}', '', 5, ${input})`,
      ).run();
    }
    expect(() =>
      v1.prepare("INSERT INTO inputs (id, kind, payload, created_ms) VALUES (2, 'tick', x'1001', 5)").run(),
    ).toThrow(/CHECK/);
    v1.close();

    const outbox = open(path);
    expect(outbox.inputs.get(1)).toMatchObject({ kind: "records", inputIndex: 0 });
    const tick = outbox.inputs.create("tick", new Uint8Array([0x10, 0x01]), 6);
    await outbox.write([tick.statement]);
    expect(outbox.inputs.get(tick.id)?.kind).toBe("tick");
    // v12: the console's device operations are an input kind of their own.
    const op = outbox.inputs.create("device_op", new Uint8Array([0x03, 0x01]), 6);
    await outbox.write([op.statement]);
    expect(outbox.inputs.get(op.id)?.kind).toBe("device_op");
    await outbox.close();
    const check = new Database(path, { readonly: true });
    expect(check.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    // v9: inclusions recorded before it were taken as final, and stay so; the new tick is not mined.
    expect(check.prepare("SELECT id, final_ms, block_hash FROM inputs ORDER BY id").all()).toEqual([
      { id: 1, final_ms: 5, block_hash: null },
      { id: 3, final_ms: 5, block_hash: null },
      { id: 4, final_ms: 5, block_hash: null },
      { id: 5, final_ms: null, block_hash: null },
      { id: 6, final_ms: null, block_hash: null },
    ]);
    // v7: the registration rejected before the upgrade marks its device.
    expect(
      check.prepare("SELECT hex(address) AS a, chain_status, chain_reason FROM devices ORDER BY address").all(),
    ).toEqual([
      { a: "AA".repeat(20), chain_status: "registration_rejected", chain_reason: "device_exists" },
      { a: "BB".repeat(20), chain_status: null, chain_reason: null },
    ]);
    expect(check.prepare("SELECT count(*) AS n FROM mirror").get()).toEqual({ n: 0 }); // v4: the dual-mode tables
    expect(check.prepare("SELECT count(*) AS n FROM disclosure_parts").get()).toEqual({ n: 0 }); // v6: parts of pruned disclosures
    expect(check.prepare("SELECT failed_device, failed_seq, failed_record_hash FROM disclosures").all()).toEqual([]); // v8: the columns exist
    expect(check.pragma("foreign_key_check")).toEqual([]);
    expect(check.prepare("SELECT input_id FROM readings").all()).toEqual([{ input_id: 1 }]);
    expect(check.prepare("SELECT next_output FROM settlement_cursor").all()).toEqual([{ next_output: 0 }]); // v3
    check.close();
  });

  it("flushes pending appends on close and refuses new ones", async () => {
    const dir = tempDir(cleanups);
    const path = `${dir}/outbox.db`;
    const outbox = open(path, 1000);
    const device = await registerDevice(outbox);
    const pending = outbox.append([reading(device, 1n)]);
    await outbox.close();
    await pending;
    await expect(outbox.append([reading(device, 2n)])).rejects.toThrow(/closed/);
    const again = open(path);
    expect(again.readings.countQueued()).toBe(1);
    await again.close();
  });
});
