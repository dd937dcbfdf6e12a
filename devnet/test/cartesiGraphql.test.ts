// The GraphQL queries Cartesi's docs give frontends (fixtures/cartesiGraphqlQueries.ts) are
// valid against the official rollups-graphql reader schema and return the right data from the
// devnet: an input with its notices, vouchers and reports, `first`/`after` pages, one input by
// index, notices and vouchers with proofs that prove against the claimed root and execute.

import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildSchema, type GraphQLSchema, parse, validate } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hex, stringToHex } from "viem";
import {
  applicationAbi,
  type Devnet,
  encodeNotice,
  encodeVoucher,
  inputBoxAbi,
  OUTPUTS_TREE_HEIGHT,
  outputLeaf,
  rootFromSiblings,
} from "@lcore/devnet";
import { READER_SCHEMA } from "../src/graphqlSchema.js";
import { QUERIES, V1_QUERIES } from "./fixtures/cartesiGraphqlQueries.js";
import { chainClients, gql, rpcResult, tempDir, waitFor, startEchoDevnet } from "./helpers.js";

const specsDir = process.env.LCORE_SPECS_DIR ?? fileURLToPath(new URL("../../../shared/specs", import.meta.url));
const specPath = `${specsDir}/rollups-graphql-reader.graphql`;

const PAYLOADS: Hex[] = [stringToHex("reading 0"), stringToHex("reading 1"), "0xff02", stringToHex("reading 3")];

let devnet: Devnet;
let dir: ReturnType<typeof tempDir>;
/** The devnet's log, shown when a wait times out. */
const logs: string[] = [];
const logTail = () => logs.slice(-20).join("\n");
let chain: ReturnType<typeof chainClients>;
let senders: Hex[];

const errorsOf = (schema: GraphQLSchema, query: string) => validate(schema, parse(query)).map((e) => e.message);

describe("Cartesi's documented GraphQL queries, statically", () => {
  it.skipIf(!existsSync(specPath))("validate against specs/rollups-graphql-reader.graphql", () => {
    const official = buildSchema(readFileSync(specPath, "utf8"));
    for (const [name, query] of Object.entries(QUERIES)) expect([name, errorsOf(official, query)]).toEqual([name, []]);
  });

  it("validate against the schema the devnet serves", () => {
    const served = buildSchema(READER_SCHEMA);
    for (const [name, query] of Object.entries(QUERIES)) expect([name, errorsOf(served, query)]).toEqual([name, []]);
  });

  it("the v1.x docs' forms (input by index, notice by notice and input index, v1 proof) are not v2 queries", () => {
    const served = buildSchema(READER_SCHEMA);
    expect(errorsOf(served, V1_QUERIES.inputByIndex)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Unknown argument "index" on field "Query\.input"/)]),
    );
    expect(errorsOf(served, V1_QUERIES.noticeWithProof)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Unknown argument "noticeIndex" on field "Query\.notice"/),
        expect.stringMatching(/^Cannot query field "validity" on type "Proof"/),
      ]),
    );
  });
});

describe("Cartesi's documented GraphQL queries against the devnet", () => {
  beforeAll(async () => {
    dir = tempDir("cartesi-graphql");
    devnet = await startEchoDevnet(dir.path, (m) => logs.push(m));
    chain = chainClients(devnet.chainRpcUrl);
    const wallets = [chain.wallet(0), chain.wallet(1)];
    senders = wallets.map((w) => w.account.address);
    // The Application pays the vouchers' 1000 wei.
    await chain.pub.waitForTransactionReceipt({
      hash: await wallets[0]!.sendTransaction({ to: devnet.application, value: 10_000n }),
    });
    for (const [i, payload] of PAYLOADS.entries()) {
      const hash = await wallets[i === 1 ? 1 : 0]!.writeContract({
        address: devnet.inputBox,
        abi: inputBoxAbi,
        functionName: "addInput",
        args: [devnet.application, payload],
      });
      await chain.pub.waitForTransactionReceipt({ hash });
    }
    await waitFor(
      "4 inputs processed and every epoch accepted",
      async () => {
        const epochs = (await rpcResult(devnet.jsonRpcUrl, "cartesi_listEpochs", { application: devnet.application }))
          .data as { status: string; input_index_upper_bound: string }[];
        const covered = epochs.length > 0 && Number(epochs.at(-1)!.input_index_upper_bound) === PAYLOADS.length;
        return covered && epochs.every((e) => e.status === "CLAIM_ACCEPTED");
      },
      90_000,
      100,
      logTail,
    );
  });

  afterAll(async () => {
    await devnet?.stop();
    dir?.remove();
  });

  const run = (query: string, variables: Record<string, unknown>) => gql(devnet.graphqlUrl, query, variables);

  it("an input with its notices, vouchers and reports; one input by index", async () => {
    const { input } = await run(QUERIES.INPUT_RESULT, { inputId: "1" });
    expect(input).toEqual({
      index: 1,
      status: "ACCEPTED",
      msgSender: senders[1],
      blockNumber: expect.stringMatching(/^\d+$/),
      payload: PAYLOADS[1],
      reports: { edges: [{ node: { index: 1, input: { index: 1 }, payload: PAYLOADS[1] } }] },
      notices: { edges: [{ node: { index: 2, input: { index: 1 }, payload: PAYLOADS[1] } }] },
      vouchers: { edges: [{ node: { index: 3, input: { index: 1 }, destination: senders[1], payload: PAYLOADS[1] } }] },
    });
    const rejected = await run(QUERIES.INPUT_RESULT, { inputId: "2" });
    expect(rejected.input).toMatchObject({
      status: "REJECTED",
      notices: { edges: [] },
      vouchers: { edges: [] },
      reports: { edges: [{ node: { payload: stringToHex("rejected") } }] },
    });

    const one = await run(QUERIES.INPUT_BY_INDEX, { inputId: "3" });
    expect(one.input).toMatchObject({ index: 3, status: "ACCEPTED", msgSender: senders[0], payload: PAYLOADS[3] });
    const rpcInput = (
      await rpcResult(devnet.jsonRpcUrl, "cartesi_getInput", { application: devnet.application, input_index: "0x3" })
    ).data;
    expect(one.input.blockNumber).toBe(String(Number(rpcInput.block_number)));
    expect(one.input.timestamp).toBe(String(Number(rpcInput.decoded_data.block_timestamp)));

    expect((await run(QUERIES.NOTICES_BY_INPUT, { inputId: "3" })).input.notices.edges).toEqual([
      {
        node: {
          index: 4,
          input: { index: 3, msgSender: senders[0], blockNumber: one.input.blockNumber },
          payload: PAYLOADS[3],
        },
      },
    ]);
    expect((await run(QUERIES.REPORTS_BY_INPUT, { inputId: "2" })).input.reports.edges).toEqual([
      { node: { index: 2, input: { index: 2 }, payload: stringToHex("rejected") } },
    ]);
  });

  it("first/after pages: inputs (with a filter), notices, vouchers, an input's vouchers", async () => {
    const first = (await run(QUERIES.INPUTS, { first: 3 })).inputs;
    expect(first.totalCount).toBe(4);
    expect(first.edges.map((e: any) => [e.node.index, e.node.status])).toEqual([
      [0, "ACCEPTED"],
      [1, "ACCEPTED"],
      [2, "REJECTED"],
    ]);
    expect(first.pageInfo).toMatchObject({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: first.edges[0].cursor,
      endCursor: first.edges[2].cursor,
    });
    const rest = (await run(QUERIES.INPUTS, { first: 3, after: first.pageInfo.endCursor })).inputs;
    expect(rest.edges.map((e: any) => e.node.index)).toEqual([3]);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    const filtered = (await run(QUERIES.INPUTS, { where: { indexGreaterThan: 1 } })).inputs;
    expect(filtered.edges.map((e: any) => e.node.index)).toEqual([2, 3]);

    // Walk every notice two at a time, as a frontend's "load more" does.
    const notices: number[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const { edges, pageInfo } = (await run(QUERIES.NOTICES_PAGE, { first: 2, after })).notices;
      notices.push(...edges.map((e: any) => e.node.index));
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(notices).toEqual([0, 2, 4]);

    const vouchers = (await run(QUERIES.VOUCHERS_PAGE, { first: 2 })).vouchers;
    expect(vouchers.edges.map((e: any) => [e.node.index, e.node.destination])).toEqual([
      [1, senders[0]],
      [3, senders[1]],
    ]);
    const more = (await run(QUERIES.VOUCHERS_PAGE, { first: 2, after: vouchers.pageInfo.endCursor })).vouchers;
    expect(more.edges.map((e: any) => e.node.index)).toEqual([5]);
    expect(more.pageInfo.hasNextPage).toBe(false);

    const ofInput = (await run(QUERIES.VOUCHERS_BY_INPUT, { inputId: "0", first: 1 })).input.vouchers;
    expect(ofInput.edges.map((e: any) => e.node)).toEqual([
      { index: 1, destination: senders[0], payload: PAYLOADS[0] },
    ]);
    expect(ofInput.pageInfo.hasNextPage).toBe(false);
  });

  it("a notice's proof proves it against its epoch's claimed root; a voucher executes with its proof", async () => {
    const { notice } = await run(QUERIES.NOTICE_WITH_PROOF, { outputIndex: 4 });
    expect(notice).toMatchObject({ index: 4, input: { index: 3, msgSender: senders[0] }, payload: PAYLOADS[3] });
    expect(notice.proof.outputIndex).toBe("4");
    expect(notice.proof.outputHashesSiblings).toHaveLength(OUTPUTS_TREE_HEIGHT);
    const output = (
      await rpcResult(devnet.jsonRpcUrl, "cartesi_getOutput", { application: devnet.application, output_index: "0x4" })
    ).data;
    const epoch = (
      await rpcResult(devnet.jsonRpcUrl, "cartesi_getEpoch", {
        application: devnet.application,
        epoch_index: output.epoch_index,
      })
    ).data;
    expect(rootFromSiblings(outputLeaf(encodeNotice(notice.payload)), 4, notice.proof.outputHashesSiblings)).toBe(
      epoch.outputs_merkle_root,
    );
    const proof = {
      outputIndex: BigInt(notice.proof.outputIndex),
      outputHashesSiblings: notice.proof.outputHashesSiblings,
    };
    await chain.pub.readContract({
      address: devnet.application,
      abi: applicationAbi,
      functionName: "validateOutput",
      args: [encodeNotice(notice.payload), proof],
    });

    const before = (await run(QUERIES.VOUCHER_WITH_PROOF, { outputIndex: 5 })).voucher;
    expect(before).toMatchObject({
      index: 5,
      input: { index: 3 },
      destination: senders[0],
      payload: PAYLOADS[3],
      value: "1000",
      executed: false,
    });
    const raw = encodeVoucher(before.destination, BigInt(before.value), before.payload);
    const hash = await chain.wallet(2).writeContract({
      address: devnet.application,
      abi: applicationAbi,
      functionName: "executeOutput",
      args: [
        raw,
        { outputIndex: BigInt(before.proof.outputIndex), outputHashesSiblings: before.proof.outputHashesSiblings },
      ],
    });
    expect((await chain.pub.waitForTransactionReceipt({ hash })).status).toBe("success");
    const after = (await run(QUERIES.VOUCHER_WITH_PROOF, { outputIndex: 5 })).voucher;
    expect(after.executed).toBe(true);
  });
});
