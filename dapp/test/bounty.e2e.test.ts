// End to end on the devnet: an ERC-20 deposit through the real ERC20Portal opens a
// subset-sum bounty; an invalid solution is rejected and pays nothing; a valid one is
// paid by a voucher that, once its epoch's claim is accepted, executes on the real
// Application with the node's proof and moves the TestToken to the solver. Beside it, the
// wallet's Ether path: a deposit through the EtherPortal, a withdrawal, its value voucher.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  type Chain,
  type Hex,
  type Transport,
  type WalletClient,
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  http,
  parseAbi,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import {
  ANVIL_MNEMONIC,
  type Devnet,
  applicationAbi,
  encodeVoucher,
  etherPortalAbi,
  inputBoxAbi,
  startDevnet,
} from "@lcore/devnet";
import { type LcoreDeployment, afterDeployLcore } from "@lcore/contracts";
import { decodeBountyNotice, encodeBountySolution, encodeBountySpec } from "@lcore/protocol/bounty";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { ETHER_ASSET, decodeBalancesNotice, encodeWithdrawal, erc20TransferCall } from "@lcore/protocol/wallet";
import { gqlAt, noticePayload } from "./devnetClient.js";
import { builtMain } from "./process.js";

const ERC20_PORTAL = "0xACA6586A0Cf05bD831f2501E7B4aea550dA6562D" as const;
const erc20PortalAbi = parseAbi([
  "function depositERC20Tokens(address token, address appContract, uint256 value, bytes execLayerData)",
]);
const tokenAbi = parseAbi([
  "function approve(address spender, uint256 value) returns (bool)",
  "function balanceOf(address owner) view returns (uint256)",
]);
const BOUNTY = 1_234_567n;
// Tier 1: eight elements; 5 + 7 + 23 = 35.
const problem = { tier: 1, elements: [3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n], target: 35n };

let devnet: Devnet<LcoreDeployment>;
let dir: string;
let wallet: (i: number) => WalletClient<Transport, Chain, Account>;
let publicClient: ReturnType<typeof createPublicClient>;
let token: Hex;
const logs: string[] = [];
const REQUESTER = 0;
const SOLVER = 3;
const SAVER = 4;
const ETHER_PORTAL = "0xA632c5c05812c6a6149B7af5C56117d1D2603828" as const;
const ETHER_IN = 10n ** 17n;
const ETHER_OUT = 6n * 10n ** 16n;

const gql = <T = any>(query: string): Promise<T> => gqlAt<T>(devnet.graphqlUrl, query);

async function rpc(method: string, params: unknown): Promise<any> {
  const res = await fetch(devnet.jsonRpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; log tail:\n${logs.slice(-20).join("\n")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function write(
  from: number,
  request: Parameters<WalletClient<Transport, Chain, Account>["writeContract"]>[0],
): Promise<void> {
  const hash = await wallet(from).writeContract(request as never);
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`transaction from account ${from} reverted`);
}

const sendInput = (from: number, payload: Uint8Array) =>
  write(from, {
    address: devnet.inputBox,
    abi: inputBoxAbi,
    functionName: "addInput",
    args: [devnet.application, toHex(payload)],
  } as never);

const tokenBalance = (who: Hex) =>
  publicClient.readContract({
    address: token,
    abi: tokenAbi,
    functionName: "balanceOf",
    args: [who],
  }) as Promise<bigint>;

/** rollups-graphql may hand back the whole Notice(bytes) call; the devnet gives the payload. */
let solverBefore: bigint;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lcore-bounty-e2e-"));
  devnet = await startDevnet({
    stateDir: dir,
    epochLength: 4,
    blockTime: 0.5,
    port: 0,
    rollupHttpPort: 0,
    anvilPort: 0,
    dapp: [process.execPath, builtMain()],
    pollIntervalMs: 50,
    log: (m) => logs.push(m),
    afterDeploy: afterDeployLcore,
  });
  const chain = defineChain({
    id: 31337,
    name: "anvil",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [devnet.chainRpcUrl] } },
  });
  publicClient = createPublicClient({ chain, transport: http(devnet.chainRpcUrl), pollingInterval: 50 });
  wallet = (i) =>
    createWalletClient({
      chain,
      transport: http(devnet.chainRpcUrl),
      account: mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: i }),
      pollingInterval: 50,
    });
  token = devnet.deployment.lcore.testToken!;
  solverBefore = await tokenBalance(wallet(SOLVER).account.address);

  // 0: the requester (anvil account 0 holds the TestToken supply) deposits the bounty through the ERC20Portal.
  const now = (await publicClient.getBlock()).timestamp;
  const bounty = encodeBountySpec({ mode: "explicit", deadline: now + 3600n, problem });
  await write(REQUESTER, {
    address: token,
    abi: tokenAbi,
    functionName: "approve",
    args: [ERC20_PORTAL, BOUNTY],
  } as never);
  await write(REQUESTER, {
    address: ERC20_PORTAL,
    abi: erc20PortalAbi,
    functionName: "depositERC20Tokens",
    args: [token, devnet.application, BOUNTY, toHex(bounty)],
  } as never);
  // 1: a wrong solution: 3 + 5 ≠ 35.
  await sendInput(SOLVER, encodeBountySolution({ bountyId: 1n, indices: [0, 1] }));
  // 2: the right one.
  await sendInput(SOLVER, encodeBountySolution({ bountyId: 1n, indices: [1, 2, 7] }));
  // 3: too late: the bounty is paid.
  await sendInput(SOLVER, encodeBountySolution({ bountyId: 1n, indices: [7, 2, 1] }));
  // 4: Ether into the wallet; 5: part of it out; 6: more than is left.
  await write(SAVER, {
    address: ETHER_PORTAL,
    abi: etherPortalAbi,
    functionName: "depositEther",
    args: [devnet.application, "0x"],
    value: ETHER_IN,
  } as never);
  await sendInput(SAVER, encodeWithdrawal({ asset: ETHER_ASSET, amount: ETHER_OUT }));
  await sendInput(SAVER, encodeWithdrawal({ asset: ETHER_ASSET, amount: ETHER_OUT }));

  await waitFor(
    "7 inputs processed and their epochs' claims accepted",
    async () => {
      const processed = parseInt(await rpc("cartesi_getProcessedInputCount", ["app"]), 16);
      if (processed < 7) return false;
      const epochs = (await rpc("cartesi_listEpochs", { application: devnet.application, limit: 1000 })).data as {
        status: string;
        input_index_upper_bound: string;
      }[];
      const covering = epochs.filter((e) => parseInt(e.input_index_upper_bound, 16) > 0);
      return (
        covering.length > 0 &&
        parseInt(covering.at(-1)!.input_index_upper_bound, 16) >= 7 &&
        covering.every((e) => e.status === "CLAIM_ACCEPTED")
      );
    },
    90_000,
  );
}, 150_000);

afterAll(async () => {
  await devnet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("subset-sum bounty on the devnet", () => {
  it("opens the bounty from the deposit, rejects the wrong, paid and duplicate solutions with reasons", async () => {
    const g = await gql("{ inputs { edges { node { index status } } } }");
    expect(g.inputs.edges.map((e: any) => e.node.status)).toEqual([
      "ACCEPTED",
      "REJECTED",
      "ACCEPTED",
      "REJECTED",
      "ACCEPTED",
      "ACCEPTED",
      "REJECTED",
    ]);
    const r = await gql("{ reports { edges { node { payload input { index } } } } }");
    const reasons = r.reports.edges.map((e: any) => [
      e.node.input.index,
      JSON.parse(new TextDecoder().decode(fromHex(e.node.payload))),
    ]);
    expect(reasons.map(([i, b]: any) => [i, b.reason, b.detail])).toEqual([
      [1, "invalid_solution", "mismatch"],
      [3, "bounty_closed", "bounty 1 was already paid"],
      [6, "insufficient_balance", expect.any(String)],
    ]);
    const n = await gql("{ notices { edges { node { payload input { index } } } } }");
    const notices = n.notices.edges
      .map((e: any) => [e.node.input.index, noticePayload(e.node.payload)])
      .filter(([, p]: any) => p[0] === 0xb0)
      .map(([i, p]: any) => [i, decodeBountyNotice(p)]);
    expect(notices.map(([i, b]: any) => [i, b.event, toHex(b.party), toHex(b.asset), b.amount])).toEqual([
      [0, "opened", wallet(REQUESTER).account.address.toLowerCase(), token.toLowerCase(), BOUNTY],
      [2, "paid", wallet(SOLVER).account.address.toLowerCase(), token.toLowerCase(), BOUNTY],
    ]);
  });

  it("executes the one payout voucher with the node's proof: the solver's TestToken balance grows by the bounty", async () => {
    const g = await gql(
      "{ vouchers { edges { node { index destination value payload executed input { index } proof { outputIndex outputHashesSiblings } } } } }",
    );
    expect(g.vouchers.edges.map((e: any) => e.node.input.index)).toEqual([2, 5]);
    const v = g.vouchers.edges[0].node;
    const solver = wallet(SOLVER).account.address;
    expect(v.input.index).toBe(2);
    expect(getAddress(v.destination)).toBe(getAddress(token));
    expect(BigInt(v.value)).toBe(0n);
    expect(v.payload.toLowerCase()).toBe(toHex(erc20TransferCall(fromHex(solver), BOUNTY)));
    expect(v.executed).toBe(false);
    expect(v.proof.outputHashesSiblings).toHaveLength(63);

    // The Application holds the deposit until the voucher moves it.
    expect(await tokenBalance(devnet.application)).toBe(BOUNTY);
    const output = encodeVoucher(v.destination, BigInt(v.value), v.payload);
    const proof = { outputIndex: BigInt(v.proof.outputIndex), outputHashesSiblings: v.proof.outputHashesSiblings };
    await write(1, {
      address: devnet.application,
      abi: applicationAbi,
      functionName: "executeOutput",
      args: [output, proof],
    } as never);
    expect((await tokenBalance(solver)) - solverBefore).toBe(BOUNTY);
    expect(await tokenBalance(devnet.application)).toBe(0n);

    // Paid once only: a second execution reverts.
    await expect(
      publicClient.simulateContract({
        address: devnet.application,
        abi: applicationAbi,
        functionName: "executeOutput",
        args: [output, proof],
        account: wallet(1).account,
      }),
    ).rejects.toThrow();
  });

  it("credits the Ether deposit, and executes the withdrawal's value voucher: the owner receives exactly the amount", async () => {
    const saver = wallet(SAVER).account.address;
    const n = await gql("{ notices { edges { node { payload input { index } } } } }");
    const balances = n.notices.edges
      .filter((e: any) => e.node.input.index >= 4)
      .map((e: any) =>
        decodeBalancesNotice(noticePayload(e.node.payload)).balances.map((b) => [
          toHex(b.owner),
          toHex(b.asset),
          b.balance,
        ]),
      );
    expect(balances).toEqual([
      [[saver.toLowerCase(), toHex(ETHER_ASSET), ETHER_IN]],
      [[saver.toLowerCase(), toHex(ETHER_ASSET), ETHER_IN - ETHER_OUT]],
    ]);
    const g = await gql(
      "{ vouchers { edges { node { destination value payload input { index } proof { outputIndex outputHashesSiblings } } } } }",
    );
    const v = g.vouchers.edges.find((e: any) => e.node.input.index === 5).node;
    expect([getAddress(v.destination), BigInt(v.value), v.payload]).toEqual([saver, ETHER_OUT, "0x"]);
    const before = await publicClient.getBalance({ address: saver });
    const proof = { outputIndex: BigInt(v.proof.outputIndex), outputHashesSiblings: v.proof.outputHashesSiblings };
    // Executed by another account, so the saver's balance moves by the value alone.
    await write(1, {
      address: devnet.application,
      abi: applicationAbi,
      functionName: "executeOutput",
      args: [encodeVoucher(v.destination, BigInt(v.value), v.payload), proof],
    } as never);
    expect((await publicClient.getBalance({ address: saver })) - before).toBe(ETHER_OUT);
  });
});
