// The devnet as any dApp uses it, end to end on a real anvil with the echo dApp (a few lines of
// JavaScript speaking the rollup HTTP API, nothing of lcore; fixtures/echo-dapp.mjs): an
// afterDeploy hook's result in deployment.json, 50 inputs through the InputBox, every epoch
// claimed and accepted, every voucher executed on the real Application (executeOutput with the
// proofs served over GraphQL and JSON-RPC, wasOutputExecuted after), the two APIs agreeing, and
// a restart that resumes.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BaseError,
  ContractFunctionRevertedError,
  encodeFunctionData,
  getAddress,
  type Hex,
  parseEther,
  stringToHex,
  toHex,
} from "viem";
import {
  type AfterDeployContext,
  applicationAbi,
  authorityAbi,
  type Devnet,
  encodeNotice,
  encodeVoucher,
  inputBoxAbi,
} from "@lcore/devnet";
import { chainClients, gql, rpc, rpcResult, tempDir, waitFor, startEchoDevnet } from "./helpers.js";

const INPUTS = 50;
const VOUCHER_VALUE = 1000n;
const VOUCHER_TYPE = "0x237a816f";
const NOTICE_TYPE = "0xc258d6e5";

type Kind = "normal" | "rejected" | "exception" | "call";
const kindOf = (i: number): Kind => (i === 25 ? "exception" : i === 40 ? "call" : i % 10 === 3 ? "rejected" : "normal");

/** What the echo dApp's afterDeploy hook adds to the deployment (a real dApp would deploy its contracts there). */
interface EchoDeployment {
  echo: { application: Hex; deployer: Hex; ownAnvil: boolean };
}

let devnet: Devnet<EchoDeployment>;
let dir: ReturnType<typeof tempDir>;
let clients: ReturnType<typeof chainClients>;
const payloads: Hex[] = [];
const logs: string[] = [];
const hookCalls: AfterDeployContext[] = [];

async function afterDeploy(ctx: AfterDeployContext): Promise<EchoDeployment> {
  hookCalls.push(ctx);
  return {
    echo: { application: ctx.deployment.application, deployer: ctx.clients.account.address, ownAnvil: ctx.ownAnvil },
  };
}

async function startStack() {
  return startEchoDevnet(dir.path, (m) => logs.push(m), { afterDeploy });
}

const epochs = () =>
  rpcResult(devnet.jsonRpcUrl, "cartesi_listEpochs", { application: devnet.application, limit: 1000 });
const processed = async () =>
  parseInt((await rpcResult(devnet.jsonRpcUrl, "cartesi_getProcessedInputCount", ["app"])).data, 16);

/** Wait until `count` inputs are processed and every epoch holding them has an accepted claim. */
async function settled(count: number) {
  await waitFor(
    `${count} inputs processed and claimed`,
    async () => {
      if ((await processed()) < count) return false;
      const list = (await epochs()).data as { status: string; input_index_upper_bound: string }[];
      const covered = list.length > 0 && parseInt(list.at(-1)!.input_index_upper_bound, 16) === count;
      return covered && list.every((e) => e.status === "CLAIM_ACCEPTED");
    },
    90_000,
  );
}

beforeAll(async () => {
  dir = tempDir("devnet");
  devnet = await startStack();
  clients = chainClients(devnet.chainRpcUrl);
  // Fund the Application so vouchers can carry value (it has a receive function).
  const funder = clients.wallet(1);
  await clients.pub.waitForTransactionReceipt({
    hash: await funder.sendTransaction({ to: devnet.application, value: parseEther("1") }),
  });

  const sender = clients.wallet(0);
  for (let i = 0; i < INPUTS; i++) {
    const kind = kindOf(i);
    let payload: Hex;
    if (kind === "rejected") payload = `0xff${i.toString(16).padStart(2, "0")}`;
    else if (kind === "exception") payload = "0xfe";
    else if (kind === "call") {
      // A voucher that calls InputBox.addInput(app, 0xabcd) from the Application itself.
      const call = encodeFunctionData({
        abi: inputBoxAbi,
        functionName: "addInput",
        args: [devnet.application, "0xabcd"],
      });
      payload = `0xfd${devnet.inputBox.slice(2).toLowerCase()}${"00".repeat(32)}${call.slice(2)}`;
    } else payload = stringToHex(`reading ${i}`);
    payloads.push(payload);
    const hash = await sender.writeContract({
      address: devnet.inputBox,
      abi: inputBoxAbi,
      functionName: "addInput",
      args: [devnet.application, payload],
    });
    await clients.pub.waitForTransactionReceipt({ hash });
  }
  await settled(INPUTS);
});

afterAll(async () => {
  await devnet?.stop();
  dir?.remove();
});

describe("devnet with the echo dApp", () => {
  it("wrote deployment.json, with the afterDeploy hook's result, and serves the chain it describes", async () => {
    const { readFileSync } = await import("node:fs");
    const deployment = JSON.parse(readFileSync(`${dir.path}/deployment.json`, "utf8"));
    expect(deployment.application).toBe(devnet.application);
    // The hook ran once the rollup was deployed, with the node's own clients, on its own anvil.
    expect(hookCalls).toHaveLength(1);
    const echo = {
      application: devnet.application,
      deployer: "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
      ownAnvil: true,
    };
    expect(deployment.echo).toEqual(echo);
    expect(devnet.deployment.echo).toEqual(echo);
    expect(deployment.authority).toBe(devnet.authority);
    expect(deployment.epochLength).toBe(4);
    expect(deployment.contracts.InputBox).toBe("0x1b51e2992A2755Ba4D6F7094032DF91991a0Cfac");
    expect(await rpcResult(devnet.jsonRpcUrl, "cartesi_getChainId")).toEqual({ data: "0x7a69" });
    const app = (await rpcResult(devnet.jsonRpcUrl, "cartesi_getApplication", { application: devnet.application }))
      .data;
    expect(app).toMatchObject({
      name: "app",
      iapplication_address: devnet.application.toLowerCase(),
      iconsensus_address: devnet.authority.toLowerCase(),
      epoch_length: "0x4",
      consensus_type: "AUTHORITY",
      state: "ENABLED",
      processed_inputs: "0x32",
    });
  });

  it("processed every input in order, discarding a rejected input's outputs but keeping its reports", async () => {
    const inputs = (await rpcResult(devnet.jsonRpcUrl, "cartesi_listInputs", { application: "app", limit: 100 }))
      .data as any[];
    expect(inputs).toHaveLength(INPUTS);
    const expectedStatus = { normal: "ACCEPTED", call: "ACCEPTED", rejected: "REJECTED", exception: "EXCEPTION" };
    inputs.forEach((input, i) => {
      expect(input.index).toBe(toHex(i));
      expect(input.status).toBe(expectedStatus[kindOf(i)]);
      expect(input.decoded_data.payload).toBe(payloads[i]);
      expect(input.decoded_data.sender).toBe(getAddress(clients.wallet(0).account.address));
    });

    const outputs = (await rpcResult(devnet.jsonRpcUrl, "cartesi_listOutputs", { application: "app", limit: 1000 }))
      .data as any[];
    const expected: Hex[] = [];
    const reports: Hex[] = [];
    payloads.forEach((payload, i) => {
      const kind = kindOf(i);
      if (kind === "normal") {
        expected.push(encodeNotice(payload), encodeVoucher(clients.wallet(0).account.address, VOUCHER_VALUE, payload));
        reports.push(payload);
      } else if (kind === "call") {
        const call = `0x${payload.slice(108)}` as Hex;
        expected.push(encodeVoucher(devnet.inputBox, 0n, call));
      } else if (kind === "rejected") {
        reports.push(stringToHex("rejected"));
      }
    });
    expect(outputs.map((o) => o.raw_data)).toEqual(expected);
    expect(outputs.map((o) => o.index)).toEqual(expected.map((_, k) => toHex(k)));
    for (let i = 0; i < INPUTS; i++) {
      if (kindOf(i) !== "rejected" && kindOf(i) !== "exception") continue;
      const own = await rpcResult(devnet.jsonRpcUrl, "cartesi_listOutputs", {
        application: "app",
        input_index: toHex(i),
      });
      expect(own.data, `outputs of input ${i}`).toEqual([]);
    }
    const allReports = (await rpcResult(devnet.jsonRpcUrl, "cartesi_listReports", { application: "app", limit: 1000 }))
      .data as any[];
    expect(allReports.map((r) => r.raw_data)).toEqual(reports);
  });

  it("landed one accepted claim per epoch with inputs, each a valid root on the Authority", async () => {
    const list = (await epochs()).data as any[];
    expect(list.length).toBeGreaterThanOrEqual(INPUTS / 8);
    let next = 0;
    for (const epoch of list) {
      expect(epoch.status).toBe("CLAIM_ACCEPTED");
      expect(parseInt(epoch.input_index_lower_bound, 16)).toBe(next);
      next = parseInt(epoch.input_index_upper_bound, 16);
      expect(parseInt(epoch.last_block, 16) % 4).toBe(3);
      const valid = await clients.pub.readContract({
        address: devnet.authority,
        abi: authorityAbi,
        functionName: "isOutputsMerkleRootValid",
        args: [devnet.application, epoch.outputs_merkle_root],
      });
      expect(valid).toBe(true);
    }
    const accepted = await clients.pub.getContractEvents({
      address: devnet.authority,
      abi: authorityAbi,
      eventName: "ClaimAccepted",
      fromBlock: 0n,
    });
    expect(accepted.map((e) => e.args.outputsMerkleRoot)).toEqual(list.map((e) => e.outputs_merkle_root));
    expect((await rpcResult(devnet.jsonRpcUrl, "cartesi_getLastAcceptedEpochIndex", ["app"])).data).toBe(
      list.at(-1).index,
    );
  });

  it("serves the same data over JSON-RPC and GraphQL", async () => {
    const [rpcInputs, rpcOutputs, rpcReports] = await Promise.all([
      rpcResult(devnet.jsonRpcUrl, "cartesi_listInputs", { application: "app", limit: 100 }),
      rpcResult(devnet.jsonRpcUrl, "cartesi_listOutputs", { application: "app", limit: 1000 }),
      rpcResult(devnet.jsonRpcUrl, "cartesi_listReports", { application: "app", limit: 1000 }),
    ]);
    const g = await gql(
      devnet.graphqlUrl,
      `{
      inputs { totalCount edges { node { id index status msgSender blockNumber timestamp payload inputBoxIndex } } }
      notices { totalCount edges { node { index payload input { index } proof { outputIndex outputHashesSiblings } } } }
      vouchers { totalCount edges { node { index destination value payload input { index } proof { outputIndex outputHashesSiblings } } } }
      reports { totalCount edges { node { index payload input { index } } } }
    }`,
    );
    expect(g.inputs.totalCount).toBe(INPUTS);
    g.inputs.edges.forEach(({ node }: any, i: number) => {
      const r = rpcInputs.data[i];
      expect(node).toEqual({
        id: String(i),
        index: i,
        status: r.status,
        msgSender: r.decoded_data.sender,
        blockNumber: String(parseInt(r.block_number, 16)),
        timestamp: String(parseInt(r.decoded_data.block_timestamp, 16)),
        payload: r.decoded_data.payload,
        inputBoxIndex: String(i),
      });
    });
    const byIndex = new Map((rpcOutputs.data as any[]).map((o) => [parseInt(o.index, 16), o]));
    const notices = (rpcOutputs.data as any[]).filter((o) => o.decoded_data.type === "Notice");
    const vouchers = (rpcOutputs.data as any[]).filter((o) => o.decoded_data.type === "Voucher");
    expect(g.notices.totalCount).toBe(notices.length);
    expect(g.vouchers.totalCount).toBe(vouchers.length);
    for (const { node } of [...g.notices.edges, ...g.vouchers.edges]) {
      const o = byIndex.get(node.index);
      expect(o, `output ${node.index}`).toBeDefined();
      expect(node.payload).toBe(o.decoded_data.payload);
      expect(node.input.index).toBe(parseInt(o.input_index, 16));
      expect(node.proof).toEqual({ outputIndex: String(node.index), outputHashesSiblings: o.output_hashes_siblings });
      expect(node.proof.outputHashesSiblings).toHaveLength(63);
      if (o.decoded_data.type === "Voucher") {
        expect(node.destination).toBe(o.decoded_data.destination);
        expect(BigInt(node.value)).toBe(BigInt(o.decoded_data.value));
      }
    }
    expect(g.reports.edges.map(({ node }: any) => [node.index, node.payload, node.input.index])).toEqual(
      (rpcReports.data as any[]).map((r) => [parseInt(r.index, 16), r.raw_data, parseInt(r.input_index, 16)]),
    );
  });

  it("pages GraphQL connections with cursors", async () => {
    const first = await gql(
      devnet.graphqlUrl,
      "{ inputs(first: 20) { totalCount edges { cursor node { index } } pageInfo { startCursor endCursor hasNextPage hasPreviousPage } } }",
    );
    expect(first.inputs.edges.map((e: any) => e.node.index)).toEqual([...Array(20).keys()]);
    expect(first.inputs.pageInfo).toMatchObject({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: Buffer.from("0").toString("base64"),
    });
    const next = await gql(
      devnet.graphqlUrl,
      "query($after: String) { inputs(first: 40, after: $after) { edges { node { index } } pageInfo { hasNextPage hasPreviousPage } } }",
      { after: first.inputs.pageInfo.endCursor },
    );
    expect(next.inputs.edges.map((e: any) => e.node.index)).toEqual([...Array(30).keys()].map((k) => k + 20));
    expect(next.inputs.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });
    const last = await gql(devnet.graphqlUrl, "{ inputs(last: 3) { edges { node { index } } } }");
    expect(last.inputs.edges.map((e: any) => e.node.index)).toEqual([47, 48, 49]);
    await expect(gql(devnet.graphqlUrl, "{ inputs(first: 1, last: 1) { totalCount } }")).rejects.toThrow(/cannot mix/);
    const filtered = await gql(devnet.graphqlUrl, "{ inputs(where: { indexGreaterThan: 45 }) { totalCount } }");
    expect(filtered.inputs.totalCount).toBe(4);
    const byInput = await gql(
      devnet.graphqlUrl,
      '{ input(id: "3") { status notices { totalCount } reports { edges { node { payload } } } } }',
    );
    expect(byInput.input).toEqual({
      status: "REJECTED",
      notices: { totalCount: 0 },
      reports: { edges: [{ node: { payload: stringToHex("rejected") } }] },
    });
  });

  it("serves GraphiQL to browsers, self-contained (it works offline), and GraphQL per application too", async () => {
    const page = await fetch(devnet.graphqlUrl, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<title>lcore devnet: rollups GraphQL</title>");
    expect(html).toContain("renderYogaGraphiQL");
    // Nothing the page loads comes from elsewhere: no script, style, icon or frame from a URL.
    expect(html.match(/<(script|link|img|iframe)\b[^>]*\b(src|href)=["']?(https?:)?\/\//gi)).toBeNull();
    const perApp = await gql(
      `${devnet.graphqlUrl}/${devnet.application}`,
      "{ applications { edges { node { id name address } } } }",
    );
    expect(perApp.applications.edges).toEqual([{ node: { id: "1", name: "app", address: devnet.application } }]);
    expect((await fetch(`${devnet.graphqlUrl}/0x${"12".repeat(20)}`, { method: "POST", body: "{}" })).status).toBe(404);
  });

  it("answers inspect requests with the dApp's state", async () => {
    const res = await fetch(devnet.inspectUrl, { method: "POST", body: "hi" });
    expect(res.status).toBe(200);
    const normal = payloads.filter((_, i) => kindOf(i) === "normal" || kindOf(i) === "call").length;
    expect(await res.json()).toEqual({
      status: "Accepted",
      reports: [{ payload: "0x6869" }, { payload: toHex(normal, { size: 32 }) }],
      processed_input_count: INPUTS,
    });
    const rejected = await (await fetch(devnet.inspectUrl, { method: "POST", body: new Uint8Array([0xff]) })).json();
    expect(rejected.status).toBe("Rejected");
    expect(
      (
        await fetch(devnet.inspectUrl.replace(devnet.application, `0x${"12".repeat(20)}`), {
          method: "POST",
          body: "x",
        })
      ).status,
    ).toBe(404);
    expect((await fetch(devnet.inspectUrl)).status).toBe(405);
  });

  it("has every voucher executed by the real Application with the served proofs (executeOutput), once only (wasOutputExecuted)", async () => {
    const executor = clients.wallet(2);
    const recipient = clients.wallet(0).account.address;
    const rpcVouchers = (
      await rpcResult(devnet.jsonRpcUrl, "cartesi_listOutputs", {
        application: "app",
        output_type: VOUCHER_TYPE,
        limit: 1000,
      })
    ).data as any[];
    const g = await gql(
      devnet.graphqlUrl,
      "{ vouchers { edges { node { index destination value payload executed proof { outputIndex outputHashesSiblings } } } } }",
    );
    expect(g.vouchers.edges).toHaveLength(rpcVouchers.length);
    const before = await clients.pub.getBalance({ address: recipient });
    let paid = 0n;
    for (const [k, { node }] of (g.vouchers.edges as any[]).entries()) {
      expect(node.executed).toBe(false);
      const fromRpc = rpcVouchers[k];
      const output = encodeVoucher(node.destination, BigInt(node.value), node.payload);
      expect(output).toBe(fromRpc.raw_data);
      // Alternate the source of the proof: GraphQL for even vouchers, JSON-RPC for odd ones.
      const proof =
        k % 2 === 0
          ? { outputIndex: BigInt(node.proof.outputIndex), outputHashesSiblings: node.proof.outputHashesSiblings }
          : { outputIndex: BigInt(fromRpc.index), outputHashesSiblings: fromRpc.output_hashes_siblings };
      const executed = () =>
        clients.pub.readContract({
          address: devnet.application,
          abi: applicationAbi,
          functionName: "wasOutputExecuted",
          args: [proof.outputIndex],
        });
      expect(await executed()).toBe(false);
      const hash = await executor.writeContract({
        address: devnet.application,
        abi: applicationAbi,
        functionName: "executeOutput",
        args: [output, proof],
      });
      const receipt = await clients.pub.waitForTransactionReceipt({ hash });
      expect(receipt.status).toBe("success");
      expect(await executed()).toBe(true);
      if (node.destination === getAddress(recipient)) paid += BigInt(node.value);
    }
    expect(paid).toBe(VOUCHER_VALUE * BigInt(payloads.filter((_, i) => kindOf(i) === "normal").length));
    expect((await clients.pub.getBalance({ address: recipient })) - before).toBe(paid);

    // A second execution of any voucher reverts.
    const again = rpcVouchers[0];
    const error = await clients.pub
      .simulateContract({
        address: devnet.application,
        abi: applicationAbi,
        functionName: "executeOutput",
        account: executor.account,
        args: [
          again.raw_data,
          { outputIndex: BigInt(again.index), outputHashesSiblings: again.output_hashes_siblings },
        ],
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    const revert = (error as BaseError).walk(
      (e) => e instanceof ContractFunctionRevertedError,
    ) as ContractFunctionRevertedError;
    expect(revert.data?.errorName).toBe("OutputNotReexecutable");

    // The call voucher ran: the Application itself sent input 50, which the node then processed.
    const input50 = await waitFor(
      "the input the call voucher added",
      async () => (await rpc(devnet.jsonRpcUrl, "cartesi_getInput", ["app", "0x32"])).result,
    );
    expect(input50.data.decoded_data.sender).toBe(devnet.application);
    expect(input50.data.decoded_data.payload).toBe("0xabcd");
    await settled(INPUTS + 1);

    // Both APIs see the executions.
    await waitFor("executions read back", async () => {
      const r = (
        await rpcResult(devnet.jsonRpcUrl, "cartesi_listOutputs", {
          application: "app",
          output_type: VOUCHER_TYPE,
          limit: 1000,
        })
      ).data as any[];
      return r.slice(0, rpcVouchers.length).every((o) => o.execution_transaction_hash !== null);
    });
    const after = await gql(
      devnet.graphqlUrl,
      "{ vouchers(filter: [{ executed: { eq: false } }]) { totalCount } all: vouchers { edges { node { executed transactionHash } } } }",
    );
    expect(after.vouchers.totalCount).toBe(1); // the echo of input 50
    expect(
      after.all.edges.slice(0, rpcVouchers.length).every(({ node }: any) => node.executed && node.transactionHash),
    ).toBe(true);
  });

  it("has every notice validated by the real Application, and a forged one refused", async () => {
    const notices = (
      await rpcResult(devnet.jsonRpcUrl, "cartesi_listOutputs", {
        application: "app",
        output_type: NOTICE_TYPE,
        limit: 1000,
      })
    ).data as any[];
    expect(notices.length).toBeGreaterThan(0);
    for (const n of notices) {
      await clients.pub.readContract({
        address: devnet.application,
        abi: applicationAbi,
        functionName: "validateOutput",
        args: [n.raw_data, { outputIndex: BigInt(n.index), outputHashesSiblings: n.output_hashes_siblings }],
      });
    }
    const n = notices[0];
    await expect(
      clients.pub.readContract({
        address: devnet.application,
        abi: applicationAbi,
        functionName: "validateOutput",
        args: [
          encodeNotice("0x666f726765640a"),
          { outputIndex: BigInt(n.index), outputHashesSiblings: n.output_hashes_siblings },
        ],
      }),
    ).rejects.toThrow(/InvalidOutputsMerkleRoot/);
  });

  it("answers malformed JSON-RPC calls as the real node does", async () => {
    const post = (body: string) =>
      fetch(devnet.jsonRpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body });
    const invalid = await post("{nope");
    expect(invalid.status).toBe(400);
    expect((await invalid.text()).trim()).toBe("Invalid JSON");
    expect((await rpc(devnet.jsonRpcUrl, "cartesi_nothing")).error).toEqual({
      code: -32601,
      message: "Method not found",
    });
    expect(
      (await rpc(devnet.jsonRpcUrl, "cartesi_getInput", { application: "NO!", input_index: "0x0" })).error?.code,
    ).toBe(-32602);
    expect((await rpc(devnet.jsonRpcUrl, "cartesi_getInput", { application: "app", input_index: "12" })).error).toEqual(
      { code: -32602, message: "invalid input_index: expected hex encoded value" },
    );
    expect(
      (await rpc(devnet.jsonRpcUrl, "cartesi_getInput", { application: "app", input_index: "0x999" })).error,
    ).toEqual({ code: -32001, message: "Input not found" });
    expect((await rpc(devnet.jsonRpcUrl, "cartesi_listInputs", { application: "other", limit: 1 })).error).toEqual({
      code: -32001,
      message: "Application not found",
    });
    expect((await rpc(devnet.jsonRpcUrl, "cartesi_listInputs", { application: "app", limit: -1 })).error?.code).toBe(
      -32602,
    );
    const paged = await rpcResult(devnet.jsonRpcUrl, "cartesi_listInputs", {
      application: "app",
      limit: 5,
      offset: 10,
      descending: true,
    });
    expect(paged.pagination).toEqual({ total_count: INPUTS + 1, limit: 5, offset: 10 });
    expect(paged.data.map((i: any) => i.index)).toEqual(["0x28", "0x27", "0x26", "0x25", "0x24"]);
    const capped = await rpcResult(devnet.jsonRpcUrl, "cartesi_listReports", { application: "app", limit: 20_000 });
    expect(capped.pagination.limit).toBe(10_000);
  });

  it("resumes after a restart: replays the dApp, duplicates nothing, continues the sequence", async () => {
    const before = {
      inputs: (await rpcResult(devnet.jsonRpcUrl, "cartesi_listInputs", { application: "app", limit: 1000 })).data,
      outputs: (await rpcResult(devnet.jsonRpcUrl, "cartesi_listOutputs", { application: "app", limit: 1000 })).data,
      epochs: (await epochs()).data,
    };
    const application = devnet.application;
    await devnet.stop();
    devnet = await startStack();
    expect(devnet.application).toBe(application);
    expect(hookCalls).toHaveLength(2); // the hook runs on every start: it must find what it deployed before
    expect(logs.some((m) => /replaying 51 processed inputs/.test(m))).toBe(true);
    clients = chainClients(devnet.chainRpcUrl);
    expect(
      (await rpcResult(devnet.jsonRpcUrl, "cartesi_listInputs", { application: "app", limit: 1000 })).data,
    ).toEqual(before.inputs);
    expect(
      (await rpcResult(devnet.jsonRpcUrl, "cartesi_listOutputs", { application: "app", limit: 1000 })).data,
    ).toEqual(before.outputs);

    const hash = await clients.wallet(0).writeContract({
      address: devnet.inputBox,
      abi: inputBoxAbi,
      functionName: "addInput",
      args: [devnet.application, "0x0102"],
    });
    await clients.pub.waitForTransactionReceipt({ hash });
    await settled(INPUTS + 2);
    const outputs = (
      await rpcResult(devnet.jsonRpcUrl, "cartesi_listOutputs", { application: "app", input_index: toHex(INPUTS + 1) })
    ).data as any[];
    expect(outputs.map((o) => parseInt(o.index, 16))).toEqual([before.outputs.length, before.outputs.length + 1]);
    expect((await epochs()).data.slice(0, before.epochs.length).map((e: any) => e.outputs_merkle_root)).toEqual(
      before.epochs.map((e: any) => e.outputs_merkle_root),
    );
    // The dApp's in-memory state came back through the replay: it counts every accepted input.
    const inspect = await (await fetch(devnet.inspectUrl, { method: "POST", body: "" })).json();
    const accepted = (
      await rpcResult(devnet.jsonRpcUrl, "cartesi_listInputs", { application: "app", limit: 1000 })
    ).data.filter((i: any) => i.status === "ACCEPTED").length;
    expect(inspect.reports[1].payload).toBe(toHex(accepted, { size: 32 }));
  });
});
