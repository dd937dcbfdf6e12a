import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Dapp, EMPTY_FOLD, deviceRowBytes, recomputeState, stateHash } from "@lcore/dapp";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { keccak256 } from "@lcore/wasm-core";
import { encodeRecordBatch } from "@lcore/protocol/recordBatch";
import { meta, record, registration, revocation, rotation, testDevice, testOwner } from "./helpers.js";

const owner = testOwner("alice");

/** A fixed history: registrations, batches (with a skipped record), a rotation and a revocation. */
function scenario(): Uint8Array[] {
  const [a, b, c] = ["a", "b", "c"].map((s) => testDevice(s)) as [
    ReturnType<typeof testDevice>,
    ReturnType<typeof testDevice>,
    ReturnType<typeof testDevice>,
  ];
  return [
    registration(a, owner.address, Uint8Array.of(1)),
    registration(b, owner.address),
    encodeRecordBatch([record(a, 1n), record(b, 1n), record(a, 2n, 1_700_000_000n, 40)]),
    registration(c, owner.address),
    rotation(a.address, testDevice("a2"), 0n),
    encodeRecordBatch([record(a, 3n, undefined, 8, testDevice("a2")), record(c, 7n), record(b, 1n)]),
    revocation(b.address),
  ];
}

function run(dapp: Dapp, inputs: Uint8Array[]) {
  return inputs.map((p, i) => dapp.advance(meta({ input_index: i, msg_sender: owner.account.address }), p).status);
}

describe("state hash", () => {
  it("the running folds equal a recomputation from the tables after every input", async () => {
    const dapp = await Dapp.create();
    scenario().forEach((p, i) => {
      dapp.advance(meta({ input_index: i, msg_sender: owner.account.address }), p);
      const fresh = recomputeState(dapp.store);
      const s = dapp.store.state();
      expect(toHex(fresh.devicesHash)).toBe(toHex(s.devicesHash));
      expect(toHex(fresh.recordsHash)).toBe(toHex(s.recordsHash));
      expect([fresh.devices, fresh.revokedDevices, fresh.records]).toEqual([s.devices, s.revokedDevices, s.records]);
    });
  });

  it("folds every device row version as written: a registration's row, then each rotation's or revocation's new version (O(1) per input)", async () => {
    // An independent model: after each input, any devices row that is new or differs from before is the version written.
    const rows = (dapp: Dapp) => {
      const out = new Map<string, string>();
      dapp.store.sql.all(
        "SELECT id, address, public_key, owner, metadata, status, nonce, registered_input, registered_at, updated_input FROM devices ORDER BY id",
        [],
        (v) => {
          const [id, address, publicKey, owner, metadata, status, nonce, registeredInput, registeredAt, updatedInput] =
            v as [bigint, Uint8Array, Uint8Array, Uint8Array, Uint8Array, bigint, bigint, bigint, bigint, bigint];
          const row = { id, address, publicKey, owner, metadata, status: Number(status) };
          out.set(
            String(id),
            toHex(deviceRowBytes({ ...row, nonce, registeredInput, registeredAt, updatedInput } as never)),
          );
        },
      );
      return out;
    };
    const dapp = await Dapp.create();
    let model = toHex(EMPTY_FOLD);
    let before = rows(dapp);
    let written = 0;
    scenario().forEach((p, i) => {
      dapp.advance(meta({ input_index: i, msg_sender: owner.account.address }), p);
      const after = rows(dapp);
      for (const [id, bytes] of after) {
        if (before.get(id) === bytes) continue;
        model = toHex(keccak256(Uint8Array.from([...fromHex(model), ...fromHex(bytes)])));
        written++;
      }
      before = after;
      expect(toHex(dapp.store.state().devicesHash)).toBe(model);
    });
    expect(written).toBe(5); // three registrations, a rotation, a revocation
  });

  it("is pinned for a fixed history (a change to its definition must be deliberate)", async () => {
    const dapp = await Dapp.create();
    expect(run(dapp, scenario())).toEqual(["accept", "accept", "accept", "accept", "accept", "accept", "accept"]);
    expect(toHex(dapp.stateHash())).toMatchInlineSnapshot(
      `"0xe8a95177586a4aee68fa2a7675438dc26a3b6adc51c015ceabf8d178d1b6c033"`,
    );
  });

  it("depends on content, not on SQLite's layout: other page sizes and a VACUUM give the same hash", async () => {
    const one = await Dapp.create();
    const two = await Dapp.create({ pageSize: 1024 });
    const three = await Dapp.create({ pageSize: 65536 });
    for (const d of [one, two, three]) run(d, scenario());
    const pageSize = (d: Dapp) => d.store.db.exec("PRAGMA lcore.page_size")[0]!.values[0]![0];
    expect([pageSize(two), pageSize(three)]).toEqual([1024, 65536]);
    expect(toHex(two.stateHash())).toBe(toHex(one.stateHash()));
    expect(toHex(three.stateHash())).toBe(toHex(one.stateHash()));
    one.store.db.exec("VACUUM lcore");
    expect(toHex(stateHash({ ...one.store.state(), ...recomputeState(one.store) }))).toBe(toHex(two.stateHash()));
  });

  it("changes with every accepted input and with the order of inputs", async () => {
    const seen = new Set<string>();
    const dapp = await Dapp.create();
    seen.add(toHex(dapp.stateHash()));
    scenario().forEach((p, i) => {
      dapp.advance(meta({ input_index: i, msg_sender: owner.account.address }), p);
      seen.add(toHex(dapp.stateHash()));
    });
    expect(seen.size).toBe(scenario().length + 1);

    const inputs = scenario();
    const swapped = [inputs[1]!, inputs[0]!, ...inputs.slice(2)];
    const other = await Dapp.create();
    run(other, swapped);
    expect(toHex(other.stateHash())).not.toBe(toHex(dapp.stateHash()));
  });

  it("any interleaving of valid and invalid inputs keeps the folds equal to a recomputation", async () => {
    const inputs = scenario();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: inputs.length - 1 }), { maxLength: 12 }), async (order) => {
        const dapp = await Dapp.create();
        for (const [i, k] of order.entries())
          dapp.advance(meta({ input_index: i, msg_sender: owner.account.address }), inputs[k]!);
        const fresh = recomputeState(dapp.store);
        expect(toHex(fresh.recordsHash)).toBe(toHex(dapp.store.state().recordsHash));
        expect(toHex(fresh.devicesHash)).toBe(toHex(dapp.store.state().devicesHash));
      }),
      { numRuns: 25 },
    );
  });
});
