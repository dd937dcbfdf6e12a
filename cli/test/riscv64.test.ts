// The dApp bundle on riscv64 Node (Debian trixie's nodejs under qemu-riscv64-static) beside
// the same bundle on host Node: a chain with registrations, record batches (valid and
// mutated), wallet deposits and withdrawals, a bounty, a settlement and a disclosure is
// replayed with --shadow, and every output and every notice's state hash must agree. A riscv64
// build with one output byte altered is caught at its first differing output.
//
// The runtime is fetched by the project's own fetcher (reused from ~/.cache/lcore when there).

import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as tiny from "tiny-secp256k1";
import { type Hex, toHex as viemToHex } from "viem";
import { encodeBountySolution, encodeBountySpec } from "@lcore/protocol/bounty";
import { fromHex } from "@lcore/protocol/bytes";
import { encodeDeviceRegistration } from "@lcore/protocol/deviceInputs";
import {
  deviceAddress,
  encodeReadingBody,
  periodOf,
  readingDigest,
  registrationProofDigest,
} from "@lcore/protocol/deviceMessage";
import { encodeKeyDisclosure } from "@lcore/protocol/disclosure";
import { encodeRecordBatch, type WireRecord } from "@lcore/protocol/recordBatch";
import { derivePeriodKey, sealReading } from "@lcore/protocol/sealing";
import { encodeSettlementTick } from "@lcore/protocol/settlement";
import { encodeSubmitterGrant } from "@lcore/protocol/submitters";
import { ETHER_ASSET, encodeErc20Deposit, encodeEtherDeposit, encodeWithdrawal } from "@lcore/protocol/wallet";
import {
  type Devnet,
  fetchRiscv64Runtime,
  fetchRiscv64Vm,
  inputBoxAbi,
  riscv64NodeCommand,
  type Riscv64Runtime,
  riscv64VmCommand,
  startDevnet,
} from "@lcore/devnet";
import { afterDeployLcore } from "@lcore/contracts";
import { decodeHex } from "@lcore/protocol/decode";
import { lcoreReplay as replay } from "../src/replay/lcoreReplay.js";
import { chainClients, rpcResult, tempDir, waitFor } from "../../devnet/test/helpers.js";
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { DeviceFormat, encodeFormatRegistration, p256DeviceAddress } from "@lcore/protocol/deviceFormats";
import { parseIoidMessage, splitIoidRequest } from "@lcore/protocol/ioidMessage";
import { splitCompactJws } from "@lcore/protocol/jwsMessage";
import { es256Jws, ioidDevice, ioidRequest, sdkDevice } from "../../protocol/test/firmware.js";

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
/** The low-s twin of r || s (PROTOCOL §12.1: what the gateway puts on chain). */
function lowS(sig: Uint8Array, n: bigint): Uint8Array {
  const s = BigInt(`0x${Buffer.from(sig.subarray(32)).toString("hex")}`);
  if (s <= n >> 1n) return sig;
  const out = sig.slice();
  out.set(Buffer.from((n - s).toString(16).padStart(64, "0"), "hex"), 32);
  return out;
}

const BUNDLE_DIR = fileURLToPath(new URL("../../dapp/dist-bundle", import.meta.url));
const ETHER_PORTAL = "0xa632c5c05812c6a6149b7af5c56117d1d2603828";
const ERC20_PORTAL = "0xaca6586a0cf05bd831f2501e7b4aea550da6562d";
const OWNER = "0x00000000000000000000000000000000000000a1";
const SOLVER = "0x00000000000000000000000000000000000000b2";
const GATEWAY = "0x00000000000000000000000000000000000000c3";
const TOKEN = fromHex("0x00000000000000000000000000000000000000d4");
const sha = (s: string | Uint8Array) => new Uint8Array(createHash("sha256").update(s).digest());

let devnet: Devnet;
let dir: ReturnType<typeof tempDir>;
let runtime: Riscv64Runtime;
let inputs = 0;
const host = () => [process.execPath, join(BUNDLE_DIR, "dapp.mjs")];
const riscv64 = (bundle = join(BUNDLE_DIR, "dapp.mjs")) => riscv64NodeCommand(runtime, [bundle]);

/** addInput from `sender` (impersonated on anvil, so portals and owners need no keys), at a chosen block time. */
async function send(sender: string, payload: Uint8Array, timestamp?: bigint) {
  const { pub } = chainClients(devnet.chainRpcUrl);
  await rpcResult(devnet.chainRpcUrl, "anvil_impersonateAccount", [sender]);
  await rpcResult(devnet.chainRpcUrl, "anvil_setBalance", [sender, "0x56bc75e2d63100000"]);
  if (timestamp !== undefined) await rpcResult(devnet.chainRpcUrl, "evm_setNextBlockTimestamp", [Number(timestamp)]);
  const data = (await import("viem")).encodeFunctionData({
    abi: inputBoxAbi,
    functionName: "addInput",
    args: [devnet.application, viemToHex(payload)],
  });
  const hash = await rpcResult<Hex>(devnet.chainRpcUrl, "eth_sendTransaction", [
    { from: sender, to: devnet.inputBox, data },
  ]);
  await pub.waitForTransactionReceipt({ hash });
  inputs++;
}

beforeAll(async () => {
  runtime = await fetchRiscv64Runtime({ log: () => {} });
  // The bundle is what runs on riscv64 (no node_modules there); built here when missing.
  const bundled = spawnSync(
    process.execPath,
    [fileURLToPath(new URL("../../dapp/scripts/bundle.mjs", import.meta.url))],
    { stdio: "ignore" },
  );
  expect(bundled.status).toBe(0);
  dir = tempDir("riscv64");
  // The node itself runs the host build, so the replay also checks every output against the node's.
  devnet = await startDevnet({
    stateDir: dir.path,
    epochLength: 1000,
    blockTime: 0.5,
    port: 0,
    rollupHttpPort: 0,
    anvilPort: 0,
    dapp: host(),
    pollIntervalMs: 50,
    log: () => {},
    afterDeploy: afterDeployLcore,
  });

  const app = fromHex(devnet.application);
  const chainId = 31337n;
  const latest = await chainClients(devnet.chainRpcUrl).pub.getBlock();
  // Start on an hour boundary well ahead of the chain so every timestamp below is in its future.
  let now = (latest.timestamp / 3600n + 2n) * 3600n + 60n;
  const tick = (dt = 12n) => (now += dt);
  const master = sha("riscv64 master");
  const devices = [0, 1, 2].map((i) => {
    const secret = sha(`riscv64 device ${i}`);
    const publicKey = tiny.pointFromScalar(secret, false)!.slice(1);
    return { secret, publicKey, address: deviceAddress(publicKey), seq: 0n };
  });
  const reading = (d: (typeof devices)[number], ts: bigint, value: bigint, signer = d.secret): WireRecord => {
    d.seq += 1n;
    const body = encodeReadingBody({ nonce: sha(`nonce ${d.seq}`).slice(0, 16), value, payload: new Uint8Array(4) });
    const header = { device: d.address, seq: d.seq, timestamp: ts, bodyHash: sha(body) };
    const digest = readingDigest(header);
    const sealed = sealReading({
      periodKey: derivePeriodKey(master, app, d.address, periodOf(ts)),
      app,
      device: d.address,
      seq: d.seq,
      digest,
      body,
    });
    return { ...header, signature: tiny.sign(digest, signer), sealed };
  };

  for (const d of devices) {
    const proof = tiny.sign(registrationProofDigest(chainId, app, fromHex(OWNER)), d.secret);
    await send(
      OWNER,
      encodeDeviceRegistration({
        publicKey: d.publicKey,
        proof,
        metadata: new Uint8Array(0),
        auth: { kind: "sender" },
      }),
      tick(),
    );
  }
  // The owner allows the gateway to submit its devices' records (PROTOCOL §3.6).
  await send(OWNER, encodeSubmitterGrant({ allowed: true, submitter: fromHex(GATEWAY) }), tick());
  // Record batches: valid, then mutated (a flipped sealed byte, a replayed seq, a foreign signature).
  for (let b = 0; b < 3; b++) {
    const ts = tick();
    await send(
      GATEWAY,
      encodeRecordBatch(
        devices.flatMap((d) => [reading(d, ts - 30n, BigInt(b * 10 + 1)), reading(d, ts - 20n, BigInt(-b))]),
      ),
      ts,
    );
  }
  const ts = tick();
  const tampered = reading(devices[0]!, ts - 5n, 3n);
  tampered.sealed[10]! ^= 1;
  const replayed = { ...reading(devices[1]!, ts - 5n, 4n), seq: 1n };
  const forged = reading(devices[2]!, ts - 5n, 5n, sha("intruder"));
  await send(GATEWAY, encodeRecordBatch([tampered, replayed, forged, reading(devices[2]!, ts - 4n, 6n)]), ts);
  // Good records from an account the owner did not allow: skipped, then rejected.
  await send(SOLVER, encodeRecordBatch([reading(devices[0]!, ts - 3n, 7n)]), tick());
  await send(GATEWAY, Uint8Array.of(1, 1, 0xff, 0xee), tick()); // garbage: a report and a reject
  // Devices as they ship (PROTOCOL §12): an ioID-SDK device (secp256k1 over h2, its proof as its
  // signer made it, high or low s, taken in its low-s form) and a JWS ES256 device (P-256),
  // registered with 0x06; a batch of their records (one with a byte of its digest changed).
  const ioid = ioidDevice("riscv64");
  const sdk = sdkDevice("riscv64");
  const ioidAddress = deviceAddress(ioid.publicKey);
  const sdkAddress = p256DeviceAddress(sdk.publicKey);
  await send(
    OWNER,
    encodeFormatRegistration({
      format: DeviceFormat.IoidSdk,
      publicKey: ioid.publicKey,
      proof: tiny.sign(registrationProofDigest(chainId, app, fromHex(OWNER)), ioid.secretKey),
      scale: 0,
      valueField: "",
      metadata: new Uint8Array(0),
      auth: { kind: "sender" },
    }),
    tick(),
  );
  await send(
    OWNER,
    encodeFormatRegistration({
      format: DeviceFormat.JwsEs256,
      publicKey: sdk.publicKey,
      proof: new Uint8Array(0),
      scale: 1,
      valueField: "temperature",
      metadata: new TextEncoder().encode(sdk.did),
      auth: { kind: "sender" },
    }),
    tick(),
  );
  const formatRecord = (
    device: Uint8Array,
    time: bigint,
    digest: Uint8Array,
    signature: Uint8Array,
    body: Uint8Array,
  ) => ({
    device,
    seq: time,
    timestamp: time,
    bodyHash: digest,
    signature,
    sealed: sealReading({
      periodKey: derivePeriodKey(master, app, device, periodOf(time)),
      app,
      device,
      seq: time,
      digest,
      body,
    }),
  });
  const ioidRecord = (time: bigint, value: number, highS: boolean) => {
    const split = splitIoidRequest(
      ioidRequest(ioid, { nonce: 0xfedcba98, projectId: "riscv64", timestamp: Number(time), value, highS }),
    );
    const m = parseIoidMessage(split.unsigned);
    return formatRecord(ioidAddress, time, m.digest, lowS(split.signature, SECP256K1_N), split.unsigned);
  };
  const sdkRecord = (time: bigint, temperature: string) => {
    const jws = splitCompactJws(es256Jws(sdk, `{"temperature":${temperature},"iat":${time}}`, true));
    return formatRecord(sdkAddress, time, sha(jws.signingInput), lowS(jws.signature, P256_N), jws.signingInput);
  };
  const fts = tick();
  const changed = sdkRecord(fts - 6n, "99");
  changed.bodyHash[0]! ^= 1;
  await send(
    GATEWAY,
    encodeRecordBatch([
      ioidRecord(fts - 9n, 1200, true),
      ioidRecord(fts - 8n, 7, false),
      sdkRecord(fts - 9n, "23.4"),
      changed,
      sdkRecord(fts - 5n, "-1.5"),
    ]),
    fts,
  );
  // Wallet: deposits through both portals, a withdrawal (a voucher), one over the balance (rejected).
  await send(ETHER_PORTAL, encodeEtherDeposit({ sender: fromHex(OWNER), value: 1_000n }), tick());
  await send(ERC20_PORTAL, encodeErc20Deposit({ token: TOKEN, sender: fromHex(OWNER), value: 500n }), tick());
  await send(OWNER, encodeWithdrawal({ asset: ETHER_ASSET, amount: 400n }), tick());
  await send(OWNER, encodeWithdrawal({ asset: ETHER_ASSET, amount: 10_000n }), tick());
  // A bounty (1 + 2 + 4 = 7) funded by a deposit, a wrong solution, then the right one.
  const spec = encodeBountySpec({
    mode: "explicit",
    deadline: now + 3600n,
    problem: { tier: 1, elements: [1n, 2n, 4n, 8n, 16n, 32n, 64n, 128n], target: 7n },
  });
  await send(
    ERC20_PORTAL,
    encodeErc20Deposit({ token: TOKEN, sender: fromHex(OWNER), value: 300n, execLayerData: spec }),
    tick(),
  );
  await send(SOLVER, encodeBountySolution({ bountyId: 1n, indices: [0, 3] }), tick());
  await send(SOLVER, encodeBountySolution({ bountyId: 1n, indices: [0, 1, 2] }), tick());
  // The hour's period settles on the first tick after it; then the owner discloses a device-day.
  const day = periodOf(ts);
  await send(GATEWAY, encodeSettlementTick(), tick(7200n));
  const disclose = (d: (typeof devices)[number], periodKey = derivePeriodKey(master, app, d.address, day)) =>
    send(OWNER, encodeKeyDisclosure({ device: d.address, period: day, periodKey, voucher: true }), tick());
  await disclose(devices[2]!);
  await disclose({ address: ioidAddress } as (typeof devices)[number]);
  await disclose({ address: sdkAddress } as (typeof devices)[number]);
  // The sealed byte flipped above is not signed, so that record was accepted; disclosure finds it.
  await disclose(devices[0]!);
  await disclose(devices[1]!, sha("wrong"));
}, 900_000);

afterAll(async () => {
  await devnet?.stop();
  dir?.remove();
});

describe("riscv64 beside host mode", () => {
  it("replays the chain with --shadow on riscv64 Node: zero divergences, every notice's state hash checked", async () => {
    await waitFor(
      "the node processed every input",
      async () =>
        parseInt(
          (await rpcResult(devnet.jsonRpcUrl, "cartesi_getProcessedInputCount", { application: devnet.application }))
            .data,
          16,
        ) === inputs,
      60_000,
    );
    // The chain holds what it should: every kind of notice and voucher the test claims to cover.
    const listed = (
      await rpcResult(devnet.jsonRpcUrl, "cartesi_listOutputs", { application: devnet.application, limit: 1000 })
    ).data as { raw_data: string }[];
    const kinds = listed
      .map((o) => decodeHex(o.raw_data) as { type: string; notice?: { kind: string }; call?: { function?: string } })
      .map((d) => (d.type === "notice" ? d.notice!.kind : d.type));
    expect(new Set(kinds)).toEqual(
      new Set([
        "device_registered",
        "format_registered",
        "submitter",
        "records_accepted",
        "balances",
        "bounty",
        "period_settled",
        "key_disclosed",
        "voucher",
      ]),
    );

    const report = await replay({
      rpcUrl: devnet.chainRpcUrl,
      application: devnet.application,
      dapp: host(),
      shadow: riscv64(),
      nodeUrl: devnet.jsonRpcUrl,
      progress: () => {},
    });
    expect(report.inputs).toBe(inputs);
    expect(report.nodeOutputsChecked).toBe(listed.length);
    expect(report.divergences).toEqual([]);
    expect(report.shadowDivergences).toEqual([]);
    // Notices from registrations, batches, the wallet, the bounty, the settlement and the disclosure.
    expect(report.stateHashesChecked).toBeGreaterThanOrEqual(12);
    expect(report.records).toBeGreaterThanOrEqual(19);
    expect(report.outputs).toBeGreaterThan(report.stateHashesChecked); // vouchers too
  }, 600_000);

  it("catches a riscv64 build with one output byte altered at its first differing output", async () => {
    const altered = mkdtempSync(join(tmpdir(), "lcore-riscv64-altered-"));
    try {
      cpSync(BUNDLE_DIR, altered, { recursive: true });
      // One byte flipped in what leaves the dApp: the last byte of every records-accepted notice.
      // The registrations and the grant (inputs 0-3, one notice each) are untouched, so the first
      // record batch (input 4, output 4) is the first place the two builds differ.
      const file = join(altered, "dapp.mjs");
      const source = readFileSync(file, "utf8");
      // (The bundle holds protocol's built JS as esbuild prints it, so the loop's lines may break anywhere.)
      const marker =
        /(for \(const e of n\.records\)\s*w\.bytes\(e\.device, 20\)\.u64\(e\.seq\)\.bytes\(e\.recordHash, 32\);\s*)return w\.finish\(\);/g;
      expect(source.match(marker)).toHaveLength(1);
      writeFileSync(
        file,
        source.replace(marker, "$1const out = w.finish();\n      out[out.length - 1] ^= 1;\n      return out;"),
      );
      const report = await replay({
        rpcUrl: devnet.chainRpcUrl,
        application: devnet.application,
        dapp: host(),
        shadow: riscv64(file),
        progress: () => {},
      });
      expect(report.divergences).toEqual([]);
      expect(report.shadowDivergences.length).toBeGreaterThan(0);
      const first = report.shadowDivergences[0]!;
      expect([first.inputIndex, first.outputIndex]).toEqual([4, 4]);
      expect(first.what).toMatch(/output/);
      // Expected (host) and got (riscv64) differ in exactly one byte, the last one.
      const [a, b] = [fromHex(first.expected as Hex), fromHex(first.got as Hex)];
      expect(a.length).toBe(b.length);
      expect(Array.from(a, (x, i) => x ^ b[i]!).filter((x) => x !== 0)).toEqual([1]);
    } finally {
      rmSync(altered, { recursive: true, force: true });
    }
  }, 600_000);

  it("replays the chain with --shadow in a whole riscv64 system (qemu-system, Debian's kernel): zero divergences", async () => {
    const vm = await fetchRiscv64Vm({ log: () => {} });
    const report = await replay({
      rpcUrl: devnet.chainRpcUrl,
      application: devnet.application,
      dapp: host(),
      shadow: riscv64VmCommand(vm, [join(BUNDLE_DIR, "dapp.mjs")]),
      progress: () => {},
    });
    expect(report.inputs).toBe(inputs);
    expect(report.divergences).toEqual([]);
    expect(report.shadowDivergences).toEqual([]);
    expect(report.stateHashesChecked).toBeGreaterThanOrEqual(12);
  }, 600_000);
});
