// Devices as they ship, end to end on the devnet (issue 28, PROTOCOL §12): a simulated
// ioID-SDK device (requests byte for byte as pal.c builds them, high-s signatures among them)
// and a simulated lcore-device-sdk device (hex JSON on /advance, ES256 JWS) register, send
// readings the dApp accepts, are read back by the owner, settle, and are disclosed with
// correct aggregates. A copy with one changed byte is refused by the gateway, and the same
// bytes sent straight to the InputBox by the devices' owner are rejected by the dApp. The
// MVP harness's three calls succeed as its client judges success (a 2xx with a JSON body)
// and the owner reads back the exact `data` bytes.

import { DISCLOSURE_PERIOD_SECONDS } from "@lcore/protocol/bounds";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { p256DeviceAddress } from "@lcore/protocol/deviceFormats";
import { deviceAddress, periodOf } from "@lcore/protocol/deviceMessage";
import { parseIoidMessage, splitIoidRequest } from "@lcore/protocol/ioidMessage";
import { base64UrlEncode, readJwsSigningInput, splitCompactJws } from "@lcore/protocol/jwsMessage";
import { encodeRecordBatch } from "@lcore/protocol/recordBatch";
import { derivePeriodKey, sealReading } from "@lcore/protocol/sealing";
import { inputBoxAbi } from "@lcore/contracts";
import { createPublicClient, createWalletClient, defineChain, http, parseEventLogs } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JsonRpcNodeReader } from "../src/chain/nodeReader.js";
import { SECP256K1_N } from "../src/devices/signature.js";
import { P256_N, lowS } from "../src/formats/p256.js";
import { Secret } from "../src/util/secrets.js";
import { auth, testGateway, type TestGateway } from "./helpers/gateway.js";
import { type TestStack, eventually, startTestStack } from "./helpers/stack.js";
import { type Cleanup, runCleanups } from "./helpers/tempDir.js";
import {
  es256Jws,
  ioidDevice,
  ioidRequest,
  ioidSignResponse,
  sdkAdvanceBody,
  sdkDevice,
  sdkDidDocument,
} from "../../protocol/test/firmware.js";

const DAY = Number(DISCLOSURE_PERIOD_SECONDS);
/** Two whole days before today: over on the gateway's clock, so it may be disclosed. */
const P = Math.floor(Date.now() / 1000 / DAY) - 2;
const SUBMITTER = 5;
const cleanups: Cleanup[] = [];
let stack: TestStack;
let gw: TestGateway;
afterAll(() => runCleanups(cleanups));

beforeAll(async () => {
  stack = await startTestStack(cleanups, { epochLength: 4, blockTime: 1 });
  gw = await testGateway(cleanups, {
    ...stack.gatewayOptions(SUBMITTER, { maxDelayMs: 100, followMs: 100 }),
    settlement: { tickMs: 200, executorKey: new Secret(stack.key(6)), pollMs: 200 },
    mvpCompat: true,
    mvpValue: { field: "temperature", scale: 1 },
  });
});

const get = (url: string, headers = {}) => gw.app.inject({ method: "GET", url, headers }).then((r) => r.json());
const raw = (url: string, payload: string | Uint8Array) =>
  gw.app.inject({
    method: "POST",
    url,
    headers: { "content-type": "application/json" },
    payload: Buffer.from(payload),
  });
const statusOf = (url: string, want: string[]) =>
  eventually(
    async () => {
      const s = await get(url);
      return want.includes(s.status) ? s : undefined;
    },
    90_000,
    `${url} ${want.join("|")}`,
  );

async function disclose(device: string) {
  const res = await gw.app.inject({
    method: "POST",
    url: "/v1/disclosures",
    headers: auth,
    payload: { device, period: P, aggregateVoucher: false },
  });
  expect(res.statusCode, res.body).toBe(202);
  return eventually(
    async () => {
      const body = await get(res.json().statusUrl, auth);
      return body.status === "accepted" || body.status === "rejected" ? body : undefined;
    },
    60_000,
    "disclosure",
  );
}

describe("devices as they ship, on the devnet", () => {
  const ioid = ioidDevice("solar farm 1");
  const ioidHex = toHex(deviceAddress(ioid.publicKey));
  const sdk = sdkDevice("meter 1");
  const sdkHex = toHex(p256DeviceAddress(sdk.publicKey));
  const ioidValues = [1200, 7, 345];
  const sdkTemperatures = ["23.4", "-1.5"];
  let tamperedIoid: Uint8Array;
  let tamperedJws: string;

  it("an ioID-SDK device registers with its own high-s proof and sends pal.c's requests to /v1/task", async () => {
    const request = await get("/v1/ioid/proof-request", auth);
    const answer = JSON.parse(ioidSignResponse(ioid, fromHex(request.hex), true)) as { sign: string };
    const reg = await gw.app.inject({
      method: "POST",
      url: "/v1/ioid/devices",
      headers: auth,
      payload: { publicKey: `0x04${Buffer.from(ioid.publicKey).toString("hex")}`, proof: answer.sign },
    });
    expect(reg.statusCode, reg.body).toBe(201);
    expect(reg.json().device).toBe(ioidHex);

    const ids: string[] = [];
    for (const [i, value] of ioidValues.entries()) {
      const body = ioidRequest(ioid, {
        nonce: 0x80000000 + i,
        projectId: "delen-test",
        timestamp: P * DAY + 100 + 60 * i,
        value,
        highS: i % 2 === 0,
      });
      const res = await raw("/v1/task", body);
      expect(res.statusCode, res.body).toBe(200);
      ids.push(res.json().taskID);
    }
    // One changed byte (the value's first digit): h2 changes, the signature no longer holds.
    const later = ioidRequest(ioid, {
      nonce: 9,
      projectId: "delen-test",
      timestamp: P * DAY + 5000,
      value: 4000,
      highS: true,
    });
    const text = Buffer.from(later).toString();
    tamperedIoid = new Uint8Array(Buffer.from(text.replace('"value":4000', '"value":5000')));
    const refused = await raw("/v1/task", tamperedIoid);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().code).toBe("LCORE_GW_SIGNATURE_INVALID");
    for (const id of ids) expect((await statusOf(`/v1/task/${id}`, ["accepted", "rejected"])).status).toBe("accepted");
  });

  it("an lcore-device-sdk device registers through /advance, waits for the owner, and sends ES256 JWS", async () => {
    const register = await raw(
      "/advance",
      sdkAdvanceBody({ type: "register_device", device_id: sdk.did, did_document: sdkDidDocument(sdk) }),
    );
    expect(register.statusCode, register.body).toBe(202);
    expect(register.json().status).toBe("pending_approval");
    const jws = (payload: string) =>
      sdkAdvanceBody({
        type: "submit_sensor_data",
        device_id: sdk.did,
        encrypted_payload: es256Jws(sdk, payload, true),
      });
    const early = await raw("/advance", jws(`{"temperature":20,"iat":${P * DAY + 50}}`));
    expect(early.json().code).toBe("LCORE_GW_DEVICE_PENDING");
    expect((await get("/v1/devicesdk/pending", auth)).pending.map((p: { device_id: string }) => p.device_id)).toEqual([
      sdk.did,
    ]);
    const approve = await gw.app.inject({
      method: "POST",
      url: `/v1/devicesdk/pending/${encodeURIComponent(sdk.did)}/approve`,
      headers: auth,
      payload: { valueField: "temperature", scale: 1 },
    });
    expect(approve.statusCode, approve.body).toBe(201);
    expect(approve.json().device).toBe(sdkHex);

    const iso = new Date((P * DAY + 7200) * 1000).toISOString().replace(".000Z", "Z");
    const urls: string[] = [];
    for (const payload of [
      `{"temperature":${sdkTemperatures[0]},"humidity":52,"iat":${P * DAY + 60}}`,
      `{"temperature":${sdkTemperatures[1]},"humidity":50,"timestamp":"${iso}"}`,
    ]) {
      const res = await raw("/advance", jws(payload));
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().success).toBe(true);
      urls.push(res.json().statusUrl);
    }
    // One changed byte of the signed payload ("99" → "98"), the device's signature kept: another signing input.
    const good = es256Jws(sdk, `{"temperature":99,"iat":${P * DAY + 9000}}`);
    const [h, , s] = good.split(".") as [string, string, string];
    tamperedJws = `${h}.${base64UrlEncode(Buffer.from(`{"temperature":98,"iat":${P * DAY + 9000}}`))}.${s}`;
    const refused = await raw(
      "/advance",
      sdkAdvanceBody({ type: "submit_sensor_data", device_id: sdk.did, encrypted_payload: tamperedJws }),
    );
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json().code).toBe("LCORE_GW_SIGNATURE_INVALID");
    for (const url of urls) expect((await statusOf(url, ["accepted", "rejected"])).status).toBe("accepted");
  });

  it("the MVP harness's calls succeed and the owner reads back the exact data bytes", async () => {
    const status = await gw.app.inject({ method: "GET", url: "/status" });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({ status: "ok", version: expect.any(String) });
    const reg = await gw.app.inject({
      method: "POST",
      url: "/device/register",
      payload: { device_id: "kc-sensor-1", public_key: "0xabc" },
    });
    expect(reg.statusCode).toBeGreaterThanOrEqual(200);
    expect(reg.statusCode).toBeLessThan(300);
    expect(reg.json()).toMatchObject({ success: true });
    const data = '{"temperature": 21.5, "humidity": 40, "location": "plot 7"}';
    const sent = await gw.app.inject({
      method: "POST",
      url: "/device/data",
      payload: { device_id: "kc-sensor-1", data, timestamp: Math.floor(Date.now() / 1000) },
    });
    expect(sent.statusCode).toBe(202);
    expect(sent.json()).toMatchObject({ success: true, message: expect.any(String), seq: "1" });
    expect((await statusOf(sent.json().statusUrl, ["accepted", "rejected"])).status).toBe("accepted");
    const records = (await get(`/v1/devices/${reg.json().device}/records`, auth)).records;
    expect(Buffer.from(records[0].payload.slice(2), "hex").toString("utf8")).toBe(data);
    expect(records[0].value).toBe("215");
  });

  it("the owner reads both devices' readings back, they settle, and their disclosures aggregate the formats' values", async () => {
    const ioidRecords = (await get(`/v1/devices/${ioidHex}/records`, auth)).records;
    expect(ioidRecords.map((r: { value: string }) => r.value)).toEqual(ioidValues.map(String));
    const first = Buffer.from(ioidRecords[0].payload.slice(2), "hex").toString();
    expect(first).toMatch(
      /^\{"nonce":2147483648,"projectID":"delen-test","payload":\{"timestamp":\d+,"value":1200,"publicKey":"0x04[0-9a-f]{128}"\}\}$/,
    );
    const sdkRecords = (await get(`/v1/devices/${sdkHex}/records`, auth)).records;
    expect(sdkRecords.map((r: { value: string }) => r.value)).toEqual(["234", "-15"]);
    expect(sdkRecords.map((r: { timestamp: string }) => Number(r.timestamp))).toEqual([P * DAY + 60, P * DAY + 7200]);

    await stack.rpc("evm_increaseTime", [3600]);
    await stack.rpc("evm_mine");
    const task = `/v1/task/${ioidHex}-${P * DAY + 100}`;
    expect((await statusOf(task, ["settled"])).status).toBe("settled");
    expect((await statusOf(`/v1/readings/${sdkHex}/${P * DAY + 60}`, ["settled"])).status).toBe("settled");

    const a = await disclose(ioidHex);
    expect(a).toMatchObject({ status: "accepted", aggregate: { count: "3", sum: "1552", min: "7", max: "1200" } });
    const b = await disclose(sdkHex);
    expect(b).toMatchObject({ status: "accepted", aggregate: { count: "2", sum: "219", min: "-15", max: "234" } });
  });

  it("the refused bytes, sent straight to the InputBox by the devices' owner, are rejected by the dApp", async () => {
    const g = gw.app.gateway;
    await eventually(
      () => (g.outbox.inputs.countUnincluded() === 0 && g.outbox.inputs.unprocessed(1).length === 0) || undefined,
    );
    const master = gw.options.ownerKey.reveal();
    const app = fromHex(stack.app);
    const record = (device: Uint8Array, time: bigint, digest: Uint8Array, signature: Uint8Array, body: Uint8Array) => ({
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
    const io = splitIoidRequest(tamperedIoid);
    const m = parseIoidMessage(io.unsigned);
    const ioidRecord = record(
      deviceAddress(ioid.publicKey),
      m.timestamp,
      m.digest,
      lowS(io.signature, SECP256K1_N)!,
      io.unsigned,
    );
    const jws = splitCompactJws(tamperedJws);
    const jwsTime = readJwsSigningInput(jws.signingInput, "temperature", 1).time;
    const jwsRecord = record(
      p256DeviceAddress(sdk.publicKey),
      jwsTime,
      new Uint8Array(await crypto.subtle.digest("SHA-256", jws.signingInput)),
      lowS(jws.signature, P256_N)!,
      jws.signingInput,
    );
    await gw.app.close();

    const account = privateKeyToAccount(stack.key(SUBMITTER));
    const chain = defineChain({
      id: Number(stack.chainId),
      name: "devnet",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [stack.devnet.chainRpcUrl] } },
    });
    const wallet = createWalletClient({ account, chain, transport: http(stack.devnet.chainRpcUrl) });
    const client = createPublicClient({ chain, transport: http(stack.devnet.chainRpcUrl) });
    const reader = new JsonRpcNodeReader(stack.devnet.jsonRpcUrl, stack.app);
    for (const rec of [ioidRecord, jwsRecord]) {
      const tx = await wallet.writeContract({
        address: stack.inputBox,
        abi: inputBoxAbi,
        functionName: "addInput",
        args: [stack.app, toHex(encodeRecordBatch([rec]))],
      });
      const receipt = await client.waitForTransactionReceipt({ hash: tx });
      const [added] = parseEventLogs({ abi: inputBoxAbi, logs: receipt.logs, eventName: "InputAdded" });
      const node = await eventually(async () => {
        const n = await reader.input(Number(added!.args.index));
        return n === null || n.status === "NONE" ? undefined : n;
      });
      expect(node.status).toBe("REJECTED");
      const reports = node.reports.map((r) => JSON.parse(Buffer.from(r.payload.slice(2), "hex").toString()));
      expect(reports).toEqual([
        expect.objectContaining({ type: "skipped", records: [expect.objectContaining({ reason: "bad_signature" })] }),
        expect.objectContaining({ type: "rejected", reason: "no_record_accepted" }),
      ]);
    }
  });
});
