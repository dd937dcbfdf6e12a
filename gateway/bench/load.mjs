// Load generator for the ingest bench, run as its own process (so the gateway's CPU is
// the gateway's alone to measure): registers devices, pre-signs readings with
// libsecp256k1 (signing is not what is measured), then drives POST /v1/readings with
// autocannon over `connections` keep-alive connections. Each connection owns its own
// devices and sends their readings in seq order, so every request is a valid new reading.
//
//   node bench/load.mjs <gatewayUrl> <ownerToken> <connections> <devicesPerConnection> <warmupS> <durationS> <readingsPerConnection>
// prints one JSON line: autocannon's result for the measured run.

import autocannon from "autocannon";
import { createRequire } from "node:module";
import { randomBytes } from "node:crypto";
import { fromHex, toHex as hex } from "@lcore/protocol/bytes";
import {
  deviceAddress,
  encodeReadingBody,
  readingMessage,
  registrationProofDigest,
} from "@lcore/protocol/deviceMessage";
import { sha256 } from "@lcore/wasm-core";

const require = createRequire(import.meta.url);
const secp = require("secp256k1/bindings");

const [url, token, connections, devicesPerConnection, warmupS, durationS, perConnection] = process.argv.slice(2);
const C = Number(connections);
const D = Number(devicesPerConnection);
const N = Number(perConnection);

const info = await (await fetch(`${url}/v1/info`)).json();
const proofDigest = registrationProofDigest(BigInt(info.chainId), fromHex(info.app), fromHex(info.owner.address));

function newDevice() {
  let sk;
  do sk = new Uint8Array(randomBytes(32));
  while (!secp.privateKeyVerify(sk));
  const pub = secp.publicKeyCreate(sk, false).slice(1);
  return { sk, pub, address: deviceAddress(pub), seq: 0n };
}

const devices = Array.from({ length: C * D }, newDevice);
for (let i = 0; i < devices.length; i += 32) {
  await Promise.all(
    devices.slice(i, i + 32).map(async (d) => {
      const proof = secp.ecdsaSign(proofDigest, d.sk).signature;
      const res = await fetch(`${url}/v1/devices`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ publicKey: hex(d.pub), proof: hex(proof), metadata: "bench" }),
      });
      if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
    }),
  );
}

const now = Math.floor(Date.now() / 1000);
const payload = new Uint8Array(8);
/** Per connection, its readings in send order (round-robin over its devices). */
const pools = Array.from({ length: C }, (_, c) => {
  const mine = devices.slice(c * D, (c + 1) * D);
  const bodies = [];
  for (let i = 0; i < N; i++) {
    const d = mine[i % D];
    d.seq += 1n;
    const nonce = new Uint8Array(randomBytes(16));
    const value = BigInt(20_000 + (i % 1000));
    const bodyHash = sha256(encodeReadingBody({ nonce, value, payload }));
    const digest = sha256(readingMessage({ device: d.address, seq: d.seq, timestamp: BigInt(now), bodyHash }));
    const signature = secp.ecdsaSign(digest, d.sk).signature;
    bodies.push(
      JSON.stringify({
        device: hex(d.address),
        seq: Number(d.seq),
        timestamp: now,
        nonce: hex(nonce),
        value: Number(value),
        payload: hex(payload),
        signature: hex(signature),
      }),
    );
  }
  return { bodies, next: 0 };
});

let clientCount = 0;
function run(seconds) {
  clientCount = 0;
  return autocannon({
    url,
    connections: C,
    duration: seconds,
    timeout: 10,
    setupClient(client) {
      const pool = pools[clientCount++ % C];
      client.setRequests([
        {
          method: "POST",
          path: "/v1/readings",
          headers: { "content-type": "application/json" },
          setupRequest(req) {
            if (pool.next >= pool.bodies.length) throw new Error("pool exhausted: raise readingsPerConnection");
            return { ...req, body: pool.bodies[pool.next++] };
          },
        },
      ]);
    },
  });
}

await run(Number(warmupS));
process.stderr.write("load: measuring\n");
const result = await run(Number(durationS));
const used = pools.reduce((n, p) => n + p.next, 0);
process.stdout.write(
  `${JSON.stringify({
    requests: result.requests,
    latency: result.latency,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    duration: result.duration,
    statusCodeStats: result.statusCodeStats,
    "2xx": result["2xx"],
    sentTotal: used,
  })}\n`,
);
