// Gas bench: gas per record of record-batch inputs through the real InputBox, at batch
// sizes 1, 10, 100 and the largest that fits, beside the floor: the records' own bytes
// at 16 gas per calldata byte (4 per zero byte) plus 8 gas per byte of the InputAdded
// log. Records are built the gateway's way (signed by simulated devices, sealed with
// the owner's keys, encoded with the shared codec) and sent with addInput.
//
// Run on two rule sets: anvil's default hardfork (the devnet's: EIP-7623 makes
// data-heavy transactions pay at least 10 gas per calldata token, 40 per non-zero byte)
// and cancun (the pricing the floor above is written in).

import { randomBytes } from "node:crypto";
import { ANVIL_MNEMONIC, deployRollups, startAnvil } from "@lcore/devnet";
import { BATCH_HEADER_LENGTH, MAX_BATCH_RECORDS, MAX_PAYLOAD_LENGTH } from "@lcore/protocol/bounds";
import { encodeReadingBody, readingMessage } from "@lcore/protocol/deviceMessage";
import { encodeRecord, encodeRecordBatch, recordLength } from "@lcore/protocol/recordBatch";
import { sha256 } from "@lcore/wasm-core";
import { inputBoxAbi } from "@lcore/contracts";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { createPublicClient, createWalletClient, defineChain, encodeFunctionData, http } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { Sealer, Secret } from "../dist/index.js";
import { SimDevice } from "../dist/sim/device.js";

/** The floor for these record bytes: calldata 16/4 gas per byte plus 8 gas per log byte. */
function floorGas(bytes) {
  let g = 0;
  for (const b of bytes) g += (b === 0 ? 4 : 16) + 8;
  return g;
}

function makeRecords(n, payloadBytes, app) {
  const sealer = new Sealer(new Secret(new Uint8Array(randomBytes(32))), app);
  const devices = Array.from({ length: Math.min(n, 50) }, () => SimDevice.random());
  const now = BigInt(Math.floor(Date.now() / 1000));
  const records = [];
  for (let i = 0; i < n; i++) {
    const d = devices[i % devices.length];
    d.seq += 1n;
    const body = encodeReadingBody({
      nonce: new Uint8Array(randomBytes(16)),
      value: BigInt(21_000 + i),
      payload: new Uint8Array(randomBytes(payloadBytes)),
    });
    const bodyHash = sha256(body);
    const digest = sha256(readingMessage({ device: d.address, seq: d.seq, timestamp: now, bodyHash }));
    const signature = d.signDigest(digest);
    const sealed = sealer.seal({ device: d.address, seq: d.seq, timestamp: now, digest, body });
    records.push({ device: d.address, seq: d.seq, timestamp: now, bodyHash, signature, sealed });
  }
  return records;
}

export function largestBatch(payloadBytes) {
  const per = recordLength(26 + payloadBytes + 32);
  return Math.min(MAX_BATCH_RECORDS, Math.floor((MAX_PAYLOAD_LENGTH - BATCH_HEADER_LENGTH) / per));
}

export async function benchGas({ hardfork = "default", payloadBytes = 8, sizes } = {}) {
  const anvil = await startAnvil(hardfork === "default" ? {} : { hardfork });
  try {
    const account = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 0 });
    const transport = http(anvil.url);
    const chainId = await createPublicClient({ transport }).getChainId();
    const chain = defineChain({
      id: chainId,
      name: "anvil",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [anvil.url] } },
    });
    const clients = {
      rpcUrl: anvil.url,
      chain,
      account,
      public: createPublicClient({ chain, transport, pollingInterval: 50 }),
      wallet: createWalletClient({ chain, transport, account, pollingInterval: 50 }),
    };
    const deployment = await deployRollups(clients, { epochLength: 10 });
    const app = fromHex(deployment.application);
    const rows = [];
    for (const n of sizes ?? [1, 10, 100, largestBatch(payloadBytes)]) {
      const records = makeRecords(n, payloadBytes, app);
      const payload = encodeRecordBatch(records);
      const hash = await clients.wallet.sendTransaction({
        to: deployment.contracts.InputBox,
        data: encodeFunctionData({
          abi: inputBoxAbi,
          functionName: "addInput",
          args: [deployment.application, toHex(payload)],
        }),
      });
      const receipt = await clients.public.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new Error(`addInput of ${n} records reverted`);
      const floor = records.reduce((g, r) => g + floorGas(encodeRecord(r)), 0);
      const gas = Number(receipt.gasUsed);
      rows.push({
        records: n,
        payloadBytes: payload.length,
        gas,
        gasPerRecord: gas / n,
        floorPerRecord: floor / n,
        ratio: gas / floor,
      });
    }
    return { hardfork, payloadBytesPerReading: payloadBytes, rows };
  } finally {
    await anvil.stop();
  }
}
