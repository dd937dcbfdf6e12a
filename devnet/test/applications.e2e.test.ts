// Two applications of one template on one devnet (--applications 2), as the real node runs
// them: each deployed at its own address with its own Authority, driven by its own echo dApp
// process with its own outputs and claims; cartesi_listApplications lists both; JSON-RPC,
// GraphQL and inspect answer per application; a voucher of each executes on its own
// Application with the proof the node serves; and suspending one application's dApp holds
// back only that application's inputs, which it processes once resumed.

import { readFileSync } from "node:fs";
import { createCartesiPublicClient } from "@cartesi/viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hex, getAddress, http, parseEther, stringToHex } from "viem";
import { applicationAbi, type Devnet, type DevnetApplication } from "@lcore/devnet";
import { addInput, chainClients, gql, rpcResult, tempDir, waitFor, startEchoDevnet } from "./helpers.js";

const VOUCHER_TYPE = "0x237a816f";

let devnet: Devnet;
let dir: ReturnType<typeof tempDir>;
let clients: ReturnType<typeof chainClients>;
const logs: string[] = [];

const processed = async (app: DevnetApplication) =>
  parseInt((await rpcResult(devnet.jsonRpcUrl, "cartesi_getProcessedInputCount", [app.name])).data, 16);

/** Wait until `count` inputs of `app` are processed and every epoch holding them has an accepted claim. */
async function claimed(app: DevnetApplication, count: number): Promise<void> {
  await waitFor(
    `${app.name}: ${count} inputs processed and claimed`,
    async () => {
      if ((await processed(app)) < count) return false;
      const list = (await rpcResult(devnet.jsonRpcUrl, "cartesi_listEpochs", { application: app.application }))
        .data as { status: string; input_index_upper_bound: string }[];
      const covered = list.length > 0 && parseInt(list.at(-1)!.input_index_upper_bound, 16) === count;
      return covered && list.every((e) => e.status === "CLAIM_ACCEPTED");
    },
    90_000,
    100,
    () => logs.slice(-5).join(" | "),
  );
}

const send = (app: DevnetApplication, text: string) =>
  addInput(clients, 0, devnet.inputBox, app.application, stringToHex(text));

beforeAll(async () => {
  dir = tempDir("devnet-apps");
  devnet = await startEchoDevnet(dir.path, (m) => logs.push(m), { applications: 2 });
  clients = chainClients(devnet.chainRpcUrl);
  const funder = clients.wallet(1);
  for (const app of devnet.applications) {
    await clients.pub.waitForTransactionReceipt({
      hash: await funder.sendTransaction({ to: app.application, value: parseEther("1") }),
    });
  }
  // Two inputs to the first, three to the second, interleaved on chain.
  const [a, b] = devnet.applications as [DevnetApplication, DevnetApplication];
  for (const [app, text] of [
    [a, "a0"],
    [b, "b0"],
    [b, "b1"],
    [a, "a1"],
    [b, "b2"],
  ] as const)
    await send(app, text);
  await Promise.all([claimed(a, 2), claimed(b, 3)]);
}, 120_000);

afterAll(async () => {
  await devnet?.stop();
  dir?.remove();
});

describe("a devnet running two applications", () => {
  it("deploys two applications of one template, each with its own Authority, listed in deployment.json", () => {
    const [a, b] = devnet.applications as [DevnetApplication, DevnetApplication];
    expect(devnet.applications).toHaveLength(2);
    expect(a.application).toBe(devnet.application);
    expect(a.name).toBe("app");
    expect(b.name).toBe("app-1");
    expect(b.application).not.toBe(a.application);
    expect(b.authority).not.toBe(a.authority);
    expect(b.deployment.templateHash).toBe(a.deployment.templateHash);
    expect(b.rollupHttpUrl).not.toBe(a.rollupHttpUrl);
    const written = JSON.parse(readFileSync(`${dir.path}/deployment.json`, "utf8"));
    expect(written.application).toBe(a.application);
    expect(written.applications.map((d: { application: Hex }) => d.application)).toEqual([
      a.application,
      b.application,
    ]);
  });

  it("lists both in cartesi_listApplications and answers JSON-RPC per application", async () => {
    const list = await rpcResult(devnet.jsonRpcUrl, "cartesi_listApplications", {});
    expect(list.pagination.total_count).toBe(2);
    expect(list.data.map((app: { name: string }) => app.name)).toEqual(["app", "app-1"]);
    expect(list.data.map((app: { iapplication_address: string }) => app.iapplication_address)).toEqual(
      devnet.applications.map((app) => app.application.toLowerCase()),
    );
    const second = await rpcResult(devnet.jsonRpcUrl, "cartesi_listApplications", { offset: 1, limit: 1 });
    expect(second.data.map((app: { name: string }) => app.name)).toEqual(["app-1"]);

    for (const [app, texts] of [
      [devnet.applications[0]!, ["a0", "a1"]],
      [devnet.applications[1]!, ["b0", "b1", "b2"]],
    ] as const) {
      const got = await rpcResult(devnet.jsonRpcUrl, "cartesi_getApplication", { application: app.application });
      expect(got.data).toMatchObject({ name: app.name, iconsensus_address: app.authority.toLowerCase() });
      const inputs = (await rpcResult(devnet.jsonRpcUrl, "cartesi_listInputs", { application: app.name })).data;
      expect(inputs.map((i: { decoded_data: { payload: Hex } }) => i.decoded_data.payload)).toEqual(
        texts.map((t) => stringToHex(t)),
      );
      expect(
        inputs.every(
          (i: { decoded_data: { application_contract: Hex } }) =>
            i.decoded_data.application_contract === getAddress(app.application),
        ),
      ).toBe(true);
      // Each application's outputs are numbered from 0 in its own tree.
      const outputs = (await rpcResult(devnet.jsonRpcUrl, "cartesi_listOutputs", { application: app.name })).data;
      expect(outputs.map((o: { index: Hex }) => parseInt(o.index, 16))).toEqual([...Array(texts.length * 2).keys()]);
    }
  });

  it("answers Cartesi's own client (@cartesi/viem) for each application", async () => {
    const l2 = createCartesiPublicClient({ transport: http(devnet.jsonRpcUrl) });
    const list = await l2.listApplications();
    expect(list.data.map((a) => a.name)).toEqual(["app", "app-1"]);
    for (const [app, count] of [
      [devnet.applications[0]!, 2],
      [devnet.applications[1]!, 3],
    ] as const) {
      const got = await l2.getApplication({ application: app.application });
      expect(got.applicationAddress.toLowerCase()).toBe(app.application.toLowerCase());
      expect(await l2.getProcessedInputCount({ application: app.application })).toBe(BigInt(count));
      const inputs = await l2.listInputs({ application: app.application });
      expect(inputs.data).toHaveLength(count);
    }
  });

  it("answers GraphQL and inspect per application", async () => {
    for (const [app, count] of [
      [devnet.applications[0]!, 2],
      [devnet.applications[1]!, 3],
    ] as const) {
      const g = await gql(app.graphqlUrl, "{ inputs { totalCount } notices { totalCount } }");
      expect(g).toEqual({ inputs: { totalCount: count }, notices: { totalCount: count } });
      const res = await fetch(app.inspectUrl, { method: "POST", body: "hello" });
      const answer = (await res.json()) as { processed_input_count: number };
      expect(answer.processed_input_count).toBe(count);
    }
    expect((await fetch(`${devnet.graphqlUrl}/0x${"00".repeat(20)}`, { method: "POST" })).status).toBe(404);
  });

  it("executes a voucher of each application on its own Application with the served proof", async () => {
    const executor = clients.wallet(2);
    for (const app of devnet.applications) {
      const [voucher] = (
        await rpcResult(devnet.jsonRpcUrl, "cartesi_listOutputs", {
          application: app.application,
          output_type: VOUCHER_TYPE,
        })
      ).data as { index: Hex; raw_data: Hex; output_hashes_siblings: Hex[] }[];
      const proof = { outputIndex: BigInt(voucher!.index), outputHashesSiblings: voucher!.output_hashes_siblings };
      const hash = await executor.writeContract({
        address: app.application,
        abi: applicationAbi,
        functionName: "executeOutput",
        args: [voucher!.raw_data, proof],
      });
      expect((await clients.pub.waitForTransactionReceipt({ hash })).status).toBe("success");
      const executed = await clients.pub.readContract({
        address: app.application,
        abi: applicationAbi,
        functionName: "wasOutputExecuted",
        args: [proof.outputIndex],
      });
      expect(executed).toBe(true);
    }
  });

  it("holds back only the suspended application's inputs, and processes them once it resumes", async () => {
    const [a, b] = devnet.applications as [DevnetApplication, DevnetApplication];
    b.suspendDapp();
    try {
      await send(b, "b3");
      await send(a, "a2");
      await claimed(a, 3);
      expect(await processed(b)).toBe(3);
    } finally {
      b.resumeDapp();
    }
    await claimed(b, 4);
    expect(await processed(a)).toBe(3);
  });
});
