#!/usr/bin/env node
// `npm run measure-memory -w dapp`: the dApp's memory after 100,000 and 1,000,000 stored
// records, to size the Cartesi machine's RAM. Rows go in through the dApp's own stores
// (dist/devices/store.js, dist/records/store.js: same schema, indexes and row sizes as
// accepted records: 64-byte signature, 32-byte body hash, PAYLOAD-byte reading payload
// sealed to PAYLOAD + 58 bytes), in savepoints like advances, but without signing and
// verifying a million signatures, which would measure time, not memory. RECORDS=<n> caps
// the run; PAYLOAD=<n> sets the payload.

import { cpus } from "node:os";

// The state is an attached in-memory SQLite database, so it lives in sql.js's
// WebAssembly memory (at most 2 GiB in this sql.js build); that memory, the SQLite
// pages, the JS heap, RSS and peak RSS are reported.

// Catch sql.js's WebAssembly memory as it is instantiated (it does not export it).
let sqlMemory;
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async (...args) => {
  const result = await instantiate.apply(WebAssembly, args);
  const exports = (result.instance ?? result).exports;
  for (const v of Object.values(exports)) if (v instanceof WebAssembly.Memory) sqlMemory ??= v;
  return result;
};

const { Dapp } = await import("@lcore/dapp");
const { insertDevice } = await import("../dist/devices/store.js");
const { insertRecord } = await import("../dist/records/store.js");
const { deviceAddress } = await import("@lcore/protocol/deviceMessage");

const TARGETS = [100_000, 1_000_000].filter((n) => n <= Number(process.env.RECORDS ?? 1_000_000));
const PAYLOAD = Number(process.env.PAYLOAD ?? 16);
const DEVICES = 1000;
const PER_INPUT = 1000;

const dapp = await Dapp.create();
const { store } = dapp;
const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;

store.begin();
for (let i = 1; i <= DEVICES; i++) {
  const publicKey = new Uint8Array(64).fill(i & 0xff);
  publicKey[0] = i >> 8;
  insertDevice(store, {
    id: BigInt(i),
    address: deviceAddress(publicKey),
    publicKey,
    owner: new Uint8Array(20).fill(1),
    metadata: new Uint8Array(32),
    status: 0,
    nonce: 0n,
    registeredInput: 0n,
    registeredAt: 0n,
    updatedInput: 0n,
  });
}
store.commit();

const signature = new Uint8Array(64);
const bodyHash = new Uint8Array(32);
const sealed = new Uint8Array(PAYLOAD + 58);
const seqs = new Array(DEVICES + 1).fill(0n);
const start = process.memoryUsage().rss;
console.log(
  `node ${process.version}, ${cpus()[0]?.model ?? "cpu"}; reading payload ${PAYLOAD} bytes (sealed ${sealed.length}), ${DEVICES} devices`,
);
console.log(
  `baseline (dApp loaded, empty state): RSS ${mib(start)}, sql.js memory ${mib(sqlMemory.buffer.byteLength)}`,
);

let id = 0n;
for (const target of TARGETS) {
  while (id < BigInt(target)) {
    store.begin();
    for (let k = 0; k < PER_INPUT; k++) {
      id++;
      const device = Number(id % BigInt(DEVICES)) + 1;
      // Distinct contents so SQLite cannot share anything: the id spread over the blobs.
      for (let j = 0; j < 8; j++) signature[j] = bodyHash[j] = sealed[j] = Number((id >> BigInt(8 * j)) & 0xffn);
      seqs[device] += 1n;
      insertRecord(store, {
        id,
        deviceId: BigInt(device),
        seq: seqs[device],
        timestamp: 1_700_000_000n + id,
        bodyHash,
        signature,
        sealed,
        inputIndex: id / BigInt(PER_INPUT),
      });
    }
    const s = store.state();
    s.records = id;
    store.putState(s);
    store.commit();
  }
  globalThis.gc?.();
  const m = process.memoryUsage();
  const pages =
    store.db.exec("PRAGMA lcore.page_count")[0].values[0][0] * store.db.exec("PRAGMA lcore.page_size")[0].values[0][0];
  console.log(
    `${target.toLocaleString("en-US")} records: RSS ${mib(m.rss)}, sql.js memory ${mib(sqlMemory.buffer.byteLength)} ` +
      `(SQLite pages ${mib(pages)}, ${(pages / target).toFixed(0)} bytes/record), JS heap ${mib(m.heapUsed)}, ` +
      `array buffers ${mib(m.arrayBuffers)}, peak RSS so far ${mib(process.resourceUsage().maxRSS * 1024)}`,
  );
}
