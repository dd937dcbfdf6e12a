// wasm-core benchmark: every primitive at 256 B, 1 KiB, 4 KiB and 64 KiB beside
// @noble/* and node:crypto in the same run (medians of 7 interleaved rounds), then the
// record pipeline. Prints a table and one BENCH line per target of the foundation issue.
import { createCipheriv, createHash, createHmac, hkdfSync, randomBytes } from "node:crypto";
import os from "node:os";
import { gcm } from "@noble/ciphers/aes.js";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import * as core from "../dist/index.js";
import { compare } from "./measure.mjs";

const SIZES = [256, 1024, 4096, 65536];
const key = randomBytes(32);
const nonce = randomBytes(12);
const aad = randomBytes(32);

const nodeGcm = (m) => {
  const c = createCipheriv("aes-256-gcm", key, nonce);
  c.setAAD(aad);
  return Buffer.concat([c.update(m), c.final(), c.getAuthTag()]);
};
const nodeChacha = (m) => {
  const c = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  c.setAAD(aad);
  return Buffer.concat([c.update(m), c.final(), c.getAuthTag()]);
};

const primitives = {
  sha256: (m) => ({
    "wasm-core": () => core.sha256(m),
    noble: () => nobleSha256(m),
    node: () => createHash("sha256").update(m).digest(),
  }),
  keccak256: (m) => ({
    "wasm-core": () => core.keccak256(m),
    noble: () => keccak_256(m),
  }),
  hmacSha256: (m) => ({
    "wasm-core": () => core.hmacSha256(key, m),
    noble: () => hmac(nobleSha256, key, m),
    node: () => createHmac("sha256", key).update(m).digest(),
  }),
  hkdfSha256: (m) => ({
    "wasm-core": () => core.hkdfSha256(m, key, aad, 88),
    noble: () => hkdf(nobleSha256, m, key, aad, 88),
    node: () => hkdfSync("sha256", m, key, aad, 88),
  }),
  aes256gcm: (m) => ({
    "wasm-core": () => core.aes256GcmSeal(key, nonce, m, aad),
    noble: () => gcm(key, nonce, aad).encrypt(m),
    node: () => nodeGcm(m),
  }),
  chacha20poly1305: (m) => ({
    "wasm-core": () => core.chacha20Poly1305Seal(key, nonce, m, aad),
    noble: () => chacha20poly1305(key, nonce, aad).encrypt(m),
    node: () => nodeChacha(m),
  }),
};

// The gateway's per-record work: digest the message, seal twice, hash the record for the notice.
const pipeline = (m) => ({
  "wasm-core": () => {
    core.sha256(m);
    const inner = core.aes256GcmSeal(key, nonce, m, aad);
    const sealed = core.chacha20Poly1305Seal(key, nonce, inner, aad);
    core.keccak256(sealed);
  },
  "node+noble-keccak": () => {
    createHash("sha256").update(m).digest();
    const inner = nodeGcm(m);
    const sealed = nodeChacha(inner);
    keccak_256(sealed);
  },
});

const fmt = (us) => (us < 10 ? us.toFixed(2) : us < 100 ? us.toFixed(1) : us.toFixed(0));
const label = (n) => (n >= 1024 ? `${n / 1024} KiB` : `${n} B`);
const _rows = [];
const results = {};

console.log(
  `wasm-core benchmark — ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
);
console.log(
  "µs per operation (median of 7 interleaved rounds); ratio = competitor time / wasm-core time (> 1 means wasm-core is faster)\n",
);
console.log("| primitive | size | wasm-core µs | noble µs | node:crypto µs | vs noble | vs node |");
console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
for (const [name, make] of Object.entries(primitives)) {
  for (const size of SIZES) {
    const m = randomBytes(size);
    const t = compare(make(m));
    results[`${name}.${size}`] = t;
    const vsNoble = t.noble / t["wasm-core"];
    const vsNode = t.node ? t.node / t["wasm-core"] : undefined;
    console.log(
      `| ${name} | ${label(size)} | ${fmt(t["wasm-core"])} | ${fmt(t.noble)} | ${t.node ? fmt(t.node) : "—"} | ${vsNoble.toFixed(2)}× | ${vsNode ? `${vsNode.toFixed(2)}×` : "—"} |`,
    );
  }
}
console.log(
  "\n| pipeline (sha256 + aes-gcm + chacha20-poly1305 + keccak) | size | wasm-core µs | node+noble-keccak µs | records/s wasm-core | ratio |",
);
console.log("| --- | --- | ---: | ---: | ---: | ---: |");
for (const size of [256, 1024]) {
  const t = compare(pipeline(randomBytes(size)));
  results[`pipeline.${size}`] = t;
  console.log(
    `| record pipeline | ${label(size)} | ${fmt(t["wasm-core"])} | ${fmt(t["node+noble-keccak"])} | ${Math.round(1e6 / t["wasm-core"])} | ${(t["node+noble-keccak"] / t["wasm-core"]).toFixed(2)}× |`,
  );
}

const ratio = (k, other) => (results[k][other] / results[k]["wasm-core"]).toFixed(2);
console.log("");
for (const p of ["keccak256", "sha256", "aes256gcm", "chacha20poly1305"]) {
  console.log(`BENCH wasm-core.${p}.1KiB.vs-noble ${ratio(`${p}.1024`, "noble")} x`);
}
console.log(`BENCH wasm-core.pipeline.1KiB.vs-node ${ratio("pipeline.1024", "node+noble-keccak")} x`);
