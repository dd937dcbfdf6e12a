// Cartesi's own JSON-RPC client, @cartesi/rpc, against the devnet: every method it declares is
// called, with its filters and pagination, and every answer is checked at run time against the
// client's types (cartesiShapes.ts). The echo dApp gives known outputs: a normal input emits a
// notice, a voucher to its sender and a report; 0xff rejects (a report only); 0xfc emits a
// delegate-call voucher.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CartesiClient, createClient } from "@cartesi/rpc";
import { type Hex, stringToHex } from "viem";
import { type Devnet, inputBoxAbi, OUTPUTS_TREE_HEIGHT } from "@lcore/devnet";
import * as shape from "./cartesiShapes.js";
import { chainClients, tempDir, waitFor, startEchoDevnet } from "./helpers.js";

type Method = Parameters<CartesiClient["request"]>[0];
/** Every method of the client, as a Record so the compiler adds any method the client gains. */
const ALL_METHODS: Record<Method, true> = {
  cartesi_listApplications: true,
  cartesi_getApplication: true,
  cartesi_listEpochs: true,
  cartesi_getEpoch: true,
  cartesi_getLastAcceptedEpochIndex: true,
  cartesi_listTournaments: true,
  cartesi_getTournament: true,
  cartesi_listCommitments: true,
  cartesi_getCommitment: true,
  cartesi_listMatches: true,
  cartesi_getMatch: true,
  cartesi_listMatchAdvances: true,
  cartesi_getMatchAdvanced: true,
  cartesi_listInputs: true,
  cartesi_getInput: true,
  cartesi_getProcessedInputCount: true,
  cartesi_listOutputs: true,
  cartesi_getOutput: true,
  cartesi_listReports: true,
  cartesi_getReport: true,
  cartesi_getChainId: true,
  cartesi_getNodeVersion: true,
};

const NOTICE = "0xc258d6e5";
const VOUCHER = "0x237a816f";
const DELEGATE_CALL_VOUCHER = "0x10321e8b";
const ZERO_HASH = `0x${"00".repeat(32)}` as const;

let devnet: Devnet;
let dir: ReturnType<typeof tempDir>;
/** The devnet's log, shown when a wait times out. */
const logs: string[] = [];
const logTail = () => logs.slice(-20).join("\n");
let client: CartesiClient;
const called = new Set<string>();
let senders: Hex[];

/** Call through the client, record the method, check the answer's shape. */
async function call(method: Method, params: unknown, check: shape.Check): Promise<any> {
  called.add(method);
  const answer = await (client.request as (m: string, p: unknown) => PromiseLike<unknown>)(method, params);
  check(answer, method);
  return answer;
}

/** The JSON-RPC error of a call that must fail. */
async function rpcError(method: Method, params: unknown): Promise<{ code: number; message: string }> {
  called.add(method);
  try {
    await (client.request as (m: string, p: unknown) => PromiseLike<unknown>)(method, params);
  } catch (err) {
    const { code, message } = err as { code: number; message: string };
    return { code, message };
  }
  throw new Error(`${method} succeeded`);
}
const errorCode = async (method: Method, params: unknown) => (await rpcError(method, params)).code;

const app = () => devnet.application;
const num = (hex: string) => Number(BigInt(hex));

beforeAll(async () => {
  dir = tempDir("cartesi-rpc");
  devnet = await startEchoDevnet(dir.path, (m) => logs.push(m));
  client = createClient({ uri: devnet.jsonRpcUrl });
  const chain = chainClients(devnet.chainRpcUrl);
  const wallets = [chain.wallet(0), chain.wallet(1)];
  senders = wallets.map((w) => w.account.address);
  const delegate = `0xfc${devnet.inputBox.slice(2)}abcdef01` as Hex;
  const inputs: [number, Hex][] = [
    [0, stringToHex("reading 0")],
    [1, stringToHex("reading 1")],
    [0, "0xff02"],
    [0, delegate],
    [0, stringToHex("reading 4")],
  ];
  for (const [who, payload] of inputs) {
    const hash = await wallets[who]!.writeContract({
      address: devnet.inputBox,
      abi: inputBoxAbi,
      functionName: "addInput",
      args: [devnet.application, payload],
    });
    await chain.pub.waitForTransactionReceipt({ hash });
  }
  await waitFor(
    "5 inputs processed and every epoch accepted",
    async () => {
      const epochs = (await client.request("cartesi_listEpochs", { application: app() })).data;
      const covered = epochs.length > 0 && num(epochs.at(-1)!.input_index_upper_bound) === inputs.length;
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

describe("@cartesi/rpc against the devnet", () => {
  it("cartesi_getNodeVersion and cartesi_getChainId", async () => {
    const version = await call("cartesi_getNodeVersion", undefined, shape.single(shape.string));
    expect(version.data).toMatch(/^2\.\d+\.\d+/);
    const chainId = await call("cartesi_getChainId", undefined, shape.single(shape.hexNumber));
    expect(num(chainId.data)).toBe(31337);
  });

  it("cartesi_listApplications pages, cartesi_getApplication by name and address", async () => {
    const list = await call("cartesi_listApplications", {}, shape.page(shape.application));
    expect(list.pagination).toEqual({ total_count: 1, limit: 50, offset: 0 });
    expect(list.data[0].iapplication_address).toBe(app().toLowerCase());
    const past = await call("cartesi_listApplications", { limit: 1, offset: 1 }, shape.page(shape.application));
    expect(past).toEqual({ data: [], pagination: { total_count: 1, limit: 1, offset: 1 } });

    const byName = await call(
      "cartesi_getApplication",
      { application: list.data[0].name },
      shape.single(shape.application),
    );
    const byAddress = await call("cartesi_getApplication", { application: app() }, shape.single(shape.application));
    expect(byAddress.data.iapplication_address).toBe(byName.data.iapplication_address);
    expect(byName.data).toMatchObject({
      iconsensus_address: devnet.authority.toLowerCase(),
      iinputbox_address: devnet.inputBox.toLowerCase(),
      epoch_length: "0x4",
      consensus_type: "AUTHORITY",
      state: "ENABLED",
      processed_inputs: "0x5",
    });
    expect(await errorCode("cartesi_getApplication", { application: "no-such-app" })).toBe(-32001);
  });

  it("cartesi_listEpochs with status filter and pagination, cartesi_getEpoch, cartesi_getLastAcceptedEpochIndex", async () => {
    const all = await call("cartesi_listEpochs", { application: app() }, shape.page(shape.epoch));
    expect(all.data.length).toBeGreaterThan(0);
    expect(all.pagination.total_count).toBe(all.data.length);
    // The epochs tile the inputs 0..5 in order, each with its accepted claim.
    let next = 0;
    for (const e of all.data) {
      expect(num(e.input_index_lower_bound)).toBe(next);
      next = num(e.input_index_upper_bound);
      expect(e.claim_transaction_hash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(e.outputs_merkle_root).toMatch(/^0x[0-9a-f]{64}$/);
    }
    expect(next).toBe(5);
    const accepted = await call(
      "cartesi_listEpochs",
      { application: app(), status: "CLAIM_ACCEPTED" },
      shape.page(shape.epoch),
    );
    expect(accepted.data).toEqual(all.data);
    // A status the devnet never reaches (it skips INPUTS_PROCESSED): valid, and nothing matches.
    const processed = await call(
      "cartesi_listEpochs",
      { application: app(), status: "INPUTS_PROCESSED" },
      shape.page(shape.epoch),
    );
    expect(processed.data).toEqual([]);
    expect(await errorCode("cartesi_listEpochs", { application: app(), status: "SETTLED" })).toBe(-32602);
    const desc = await call(
      "cartesi_listEpochs",
      { application: app(), descending: true, limit: 1 },
      shape.page(shape.epoch),
    );
    expect(desc.data).toEqual([all.data.at(-1)]);
    expect(desc.pagination).toEqual({ total_count: all.data.length, limit: 1, offset: 0 });

    for (const e of all.data) {
      expect(
        (await call("cartesi_getEpoch", { application: app(), epoch_index: e.index }, shape.single(shape.epoch))).data,
      ).toEqual(e);
    }
    expect(await errorCode("cartesi_getEpoch", { application: app(), epoch_index: "0xffff" })).toBe(-32001);
    const last = await call("cartesi_getLastAcceptedEpochIndex", { application: app() }, shape.single(shape.hexNumber));
    expect(last.data).toBe(all.data.at(-1).index);
  });

  it("cartesi_listInputs with filters (epoch, sender) and pagination, cartesi_getInput", async () => {
    const all = await call("cartesi_listInputs", { application: app() }, shape.page(shape.input));
    expect(all.pagination).toEqual({ total_count: 5, limit: 50, offset: 0 });
    expect(all.data.map((i: any) => i.status)).toEqual(["ACCEPTED", "ACCEPTED", "REJECTED", "ACCEPTED", "ACCEPTED"]);
    // InputBox inputs are referenced by their index as a 32-byte word.
    expect(all.data.map((i: any) => BigInt(i.transaction_reference))).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(all.data.map((i: any) => i.decoded_data.block_number)).toEqual(all.data.map((i: any) => i.block_number));
    expect(all.data.map((i: any) => i.decoded_data.sender)).toEqual([
      senders[0],
      senders[1],
      senders[0],
      senders[0],
      senders[0],
    ]);
    expect(all.data[0].decoded_data.payload).toBe(stringToHex("reading 0"));
    expect(all.data[0].decoded_data.application_contract).toBe(app());

    const window = await call(
      "cartesi_listInputs",
      { application: app(), limit: 2, offset: 1 },
      shape.page(shape.input),
    );
    expect(window.data.map((i: any) => i.index)).toEqual(["0x1", "0x2"]);
    expect(window.pagination).toEqual({ total_count: 5, limit: 2, offset: 1 });
    const desc = await call(
      "cartesi_listInputs",
      { application: app(), descending: true, limit: 1 },
      shape.page(shape.input),
    );
    expect(desc.data[0].index).toBe("0x4");

    const fromSecond = await call(
      "cartesi_listInputs",
      { application: app(), sender: senders[1] },
      shape.page(shape.input),
    );
    expect(fromSecond.data.map((i: any) => i.index)).toEqual(["0x1"]);
    const epoch0 = all.data[0].epoch_index;
    const inEpoch = await call(
      "cartesi_listInputs",
      { application: app(), epoch_index: epoch0 },
      shape.page(shape.input),
    );
    expect(inEpoch.data).toEqual(all.data.filter((i: any) => i.epoch_index === epoch0));

    for (const i of all.data) {
      expect(
        (await call("cartesi_getInput", { application: app(), input_index: i.index }, shape.single(shape.input))).data,
      ).toEqual(i);
    }
    expect(await errorCode("cartesi_getInput", { application: app(), input_index: "0x5" })).toBe(-32001);
    // Indices are hex strings, as the client's HexNumber says; a JSON number is refused.
    expect(await errorCode("cartesi_getInput", { application: app(), input_index: 1 })).toBe(-32602);

    const count = await call("cartesi_getProcessedInputCount", { application: app() }, shape.single(shape.hexNumber));
    expect(count.data).toBe("0x5");
  });

  it("cartesi_listOutputs by input index, output type and voucher address, cartesi_getOutput with proofs", async () => {
    const all = await call("cartesi_listOutputs", { application: app() }, shape.page(shape.output));
    // inputs 0, 1, 4: notice + voucher each; input 3: one delegate-call voucher; input 2 rejected.
    expect(all.data.map((o: any) => [o.input_index, o.decoded_data.type])).toEqual([
      ["0x0", "Notice"],
      ["0x0", "Voucher"],
      ["0x1", "Notice"],
      ["0x1", "Voucher"],
      ["0x3", "DelegateCallVoucher"],
      ["0x4", "Notice"],
      ["0x4", "Voucher"],
    ]);
    for (const o of all.data) {
      expect(o.output_hashes_siblings).toHaveLength(OUTPUTS_TREE_HEIGHT);
      expect(o.execution_transaction_hash).toBeNull();
    }
    expect(all.data[1].decoded_data).toMatchObject({
      destination: senders[0],
      value: "0x3e8",
      payload: stringToHex("reading 0"),
    });
    expect(all.data[4].decoded_data).toEqual({
      type: "DelegateCallVoucher",
      destination: devnet.inputBox,
      payload: "0xabcdef01",
    });

    const ofInput = await call(
      "cartesi_listOutputs",
      { application: app(), input_index: "0x1" },
      shape.page(shape.output),
    );
    expect(ofInput.data.map((o: any) => o.index)).toEqual(["0x2", "0x3"]);
    const types = async (output_type: string) =>
      (await call("cartesi_listOutputs", { application: app(), output_type }, shape.page(shape.output))).data.map(
        (o: any) => o.index,
      );
    expect(await types(NOTICE)).toEqual(["0x0", "0x2", "0x5"]);
    expect(await types(VOUCHER)).toEqual(["0x1", "0x3", "0x6"]);
    expect(await types(DELEGATE_CALL_VOUCHER)).toEqual(["0x4"]);
    const toSecond = await call(
      "cartesi_listOutputs",
      { application: app(), voucher_address: senders[1] },
      shape.page(shape.output),
    );
    expect(toSecond.data.map((o: any) => o.index)).toEqual(["0x3"]);
    // The node matches the address word of the raw output, so delegate-call vouchers match too.
    const toInputBox = await call(
      "cartesi_listOutputs",
      { application: app(), voucher_address: devnet.inputBox },
      shape.page(shape.output),
    );
    expect(toInputBox.data.map((o: any) => o.index)).toEqual(["0x4"]);
    const window = await call(
      "cartesi_listOutputs",
      { application: app(), limit: 3, offset: 5 },
      shape.page(shape.output),
    );
    expect(window.data.map((o: any) => o.index)).toEqual(["0x5", "0x6"]);
    expect(window.pagination).toEqual({ total_count: 7, limit: 3, offset: 5 });
    const epoch = await call(
      "cartesi_listOutputs",
      { application: app(), epoch_index: all.data[0].epoch_index },
      shape.page(shape.output),
    );
    expect(epoch.data).toEqual(all.data.filter((o: any) => o.epoch_index === all.data[0].epoch_index));

    for (const o of all.data) {
      expect(
        (await call("cartesi_getOutput", { application: app(), output_index: o.index }, shape.single(shape.output)))
          .data,
      ).toEqual(o);
    }
    expect(await errorCode("cartesi_getOutput", { application: app(), output_index: "0x7" })).toBe(-32001);
    // The node's ParseOutputType: 4 bytes of hex after an optional 0x, decoded by Go's encoding/hex.
    expect(await rpcError("cartesi_listOutputs", { application: app(), output_type: "0xc258d6" })).toEqual({
      code: -32602,
      message: "Invalid output type: invalid output type: expected exactly 4 bytes",
    });
    expect(await rpcError("cartesi_listOutputs", { application: app(), output_type: "0xc258d6eg" })).toEqual({
      code: -32602,
      message: "Invalid output type: encoding/hex: invalid byte: U+0067 'g'",
    });
    expect(
      (
        await call(
          "cartesi_listOutputs",
          { application: app(), output_type: NOTICE.slice(2) },
          shape.page(shape.output),
        )
      ).pagination.total_count,
    ).toBe(3);
  });

  it("cartesi_listReports by epoch and input, cartesi_getReport", async () => {
    const all = await call("cartesi_listReports", { application: app() }, shape.page(shape.report));
    // A rejected input keeps its report.
    expect(all.data.map((r: any) => r.input_index)).toEqual(["0x0", "0x1", "0x2", "0x4"]);
    expect(all.data[2].raw_data).toBe(stringToHex("rejected"));
    const ofRejected = await call(
      "cartesi_listReports",
      { application: app(), input_index: "0x2" },
      shape.page(shape.report),
    );
    expect(ofRejected.data).toEqual([all.data[2]]);
    const epoch = await call(
      "cartesi_listReports",
      { application: app(), epoch_index: all.data[0].epoch_index, limit: 1 },
      shape.page(shape.report),
    );
    expect(epoch.data).toEqual([all.data[0]]);
    for (const r of all.data) {
      expect(
        (await call("cartesi_getReport", { application: app(), report_index: r.index }, shape.single(shape.report)))
          .data,
      ).toEqual(r);
    }
    expect(await errorCode("cartesi_getReport", { application: app(), report_index: "0x4" })).toBe(-32001);
  });

  it("PRT methods (tournaments, commitments, matches): checked parameters, empty lists, not found", async () => {
    const empty = { data: [], pagination: { total_count: 0, limit: 50, offset: 0 } };
    const any: shape.Check = () => {};
    const matchKey = {
      application: app(),
      epoch_index: "0x0",
      tournament_address: devnet.authority,
      id_hash: ZERO_HASH,
    };
    for (const method of ["cartesi_listTournaments", "cartesi_listCommitments", "cartesi_listMatches"] as const) {
      expect(await call(method, { application: app() }, shape.page(any))).toEqual(empty);
      // The node's PRT lists do not look the application up: an unknown one lists nothing too.
      expect(await call(method, { application: "no-such-app" }, shape.page(any))).toEqual(empty);
      expect(await errorCode(method, { application: app(), epoch_index: "7" })).toBe(-32602);
    }
    expect(await call("cartesi_listMatchAdvances", matchKey, shape.page(any))).toEqual(empty);
    // Its epoch, tournament and match id are required.
    expect(
      await errorCode("cartesi_listMatchAdvances", {
        application: app(),
        tournament_address: devnet.authority,
        id_hash: ZERO_HASH,
      }),
    ).toBe(-32602);
    expect(await errorCode("cartesi_listMatchAdvances", { ...matchKey, id_hash: "0x12" })).toBe(-32602);

    expect(await errorCode("cartesi_getTournament", { application: app(), address: devnet.authority })).toBe(-32001);
    expect(await errorCode("cartesi_getTournament", { application: app(), address: "0x12" })).toBe(-32602);
    expect(await errorCode("cartesi_getMatch", matchKey)).toBe(-32001);
    expect(await errorCode("cartesi_getMatchAdvanced", { ...matchKey, parent: ZERO_HASH })).toBe(-32001);
    expect(await errorCode("cartesi_getMatchAdvanced", { ...matchKey, parent: "0x" })).toBe(-32602);
    // The client types `commitment` as a 0x-prefixed Hash, but the node decodes it with Go's
    // hex.DecodeString, which refuses the prefix: only bare hex gets as far as "not found".
    const commitmentKey = { application: app(), epoch_index: "0x0", tournament_address: devnet.authority };
    expect(await rpcError("cartesi_getCommitment", { ...commitmentKey, commitment: ZERO_HASH })).toEqual({
      code: -32602,
      message: "Invalid commitment hex: encoding/hex: invalid byte: U+0078 'x'",
    });
    expect(await errorCode("cartesi_getCommitment", { ...commitmentKey, commitment: ZERO_HASH.slice(2) })).toBe(-32001);
  });

  it("called every method the client declares", () => {
    expect([...called].sort()).toEqual(Object.keys(ALL_METHODS).sort());
  });
});
