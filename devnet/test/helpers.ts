// Shared by the end-to-end tests: clients for anvil's dev accounts, the read APIs, and polling.

import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type Account,
  type Chain,
  createPublicClient,
  createWalletClient,
  decodeFunctionData,
  defineChain,
  type Hex,
  http,
  type PublicClient,
  stringToHex,
  type Transport,
  type WalletClient,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { ANVIL_MNEMONIC, authorityAbi, type Devnet, type DevnetOptions, inputBoxAbi, startDevnet } from "@lcore/devnet";
import { inputsAbi } from "../src/abis.js";

export const ECHO_DAPP = fileURLToPath(new URL("./fixtures/echo-dapp.mjs", import.meta.url));

export type TempDir = { path: string; remove(): void };

export function tempDir(prefix: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), `lcore-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

const anvilChain = (url: string) =>
  defineChain({
    id: 31337,
    name: "anvil",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });

export interface TestClients {
  pub: PublicClient<Transport, Chain>;
  /** A wallet for anvil's dev account `index` (the node uses 9). */
  wallet(index: number): WalletClient<Transport, Chain, Account>;
}

export function chainClients(url: string): TestClients {
  const chain = anvilChain(url);
  const pub = createPublicClient({ chain, transport: http(url), pollingInterval: 50 });
  const wallet = (index: number): WalletClient<Transport, Chain, Account> =>
    createWalletClient({
      chain,
      transport: http(url),
      account: mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index }),
      pollingInterval: 50,
    });
  return { pub, wallet };
}

export async function rpc<T = any>(
  url: string,
  method: string,
  params?: unknown,
): Promise<{ result?: T; error?: { code: number; message: string } }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return res.json() as Promise<{ result?: T; error?: { code: number; message: string } }>;
}

export async function rpcResult<T = any>(url: string, method: string, params?: unknown): Promise<T> {
  const reply = await rpc<T>(url, method, params);
  if (reply.error) throw new Error(`${method}: ${reply.error.code} ${reply.error.message}`);
  return reply.result as T;
}

export async function gql<T = any>(url: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`GraphQL: ${body.errors.map((e) => e.message).join("; ")}`);
  return body.data as T;
}

/** Poll until `check` returns a value (not undefined/false), or fail after `timeoutMs`; `detail` (e.g. a log tail) goes into the failure. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
  everyMs = 100,
  detail?: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${detail ? `; ${detail()}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The application's inputs on the chain's canonical blocks up to `blockTag`, in index order: payload and sender. */
export async function chainInputs(
  pub: PublicClient<Transport, Chain>,
  inputBox: Hex,
  application: Hex,
  blockTag: "latest" | "safe" | "finalized" = "latest",
): Promise<{ payload: Hex; sender: Hex }[]> {
  const logs = await pub.getContractEvents({
    address: inputBox,
    abi: inputBoxAbi,
    eventName: "InputAdded",
    args: { appContract: application },
    fromBlock: 0n,
    toBlock: (await pub.getBlock({ blockTag })).number,
  });
  return logs
    .sort((a, b) => Number(a.args.index! - b.args.index!))
    .map((log) => {
      const { args } = decodeFunctionData({ abi: inputsAbi, data: log.args.input! });
      return { payload: args[7], sender: args[2] };
    });
}

/** Call the chain's own JSON-RPC (anvil_reorg, evm_mine, …); throws on an error answer. */
export const anvil = <T = unknown>(url: string, method: string, params: unknown[] = []) =>
  rpcResult<T>(url, method, params);

/** addInput from anvil's dev account `from`, waited for; the block that holds it. */
export async function addInput(
  clients: TestClients,
  from: number,
  inputBox: Hex,
  application: Hex,
  payload: Hex,
): Promise<number> {
  const hash = await clients.wallet(from).writeContract({
    address: inputBox,
    abi: inputBoxAbi,
    functionName: "addInput",
    args: [application, payload],
  });
  const receipt = await clients.pub.waitForTransactionReceipt({ hash });
  return Number(receipt.blockNumber);
}

/** A read API's answer without the node's clock (created_at, updated_at), to compare two nodes. */
export function withoutClock<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutClock) as T;
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "created_at" && key !== "updated_at")
      .map(([key, v]) => [key, withoutClock(v)]),
  ) as T;
}

/** Every item of a node's JSON-RPC list method (cartesi_listInputs, …) for the application "app". */
export async function nodeList(jsonRpcUrl: string, method: string): Promise<any[]> {
  return (await rpcResult(jsonRpcUrl, method, { application: "app", limit: 10_000 })).data;
}

/** The chain's ClaimAccepted events of an application: outputs root by the epoch's last block. */
export async function acceptedClaims(
  pub: PublicClient<Transport, Chain>,
  authority: Hex,
  application: Hex,
): Promise<Map<number, Hex>> {
  const events = await pub.getContractEvents({
    address: authority,
    abi: authorityAbi,
    eventName: "ClaimAccepted",
    args: { appContract: application },
    fromBlock: 0n,
  });
  return new Map(events.map((e) => [Number(e.args.lastProcessedBlockNumber), e.args.outputsMerkleRoot!]));
}

/**
 * A node's JSON-RPC as seen through `edit`: every call goes to `nodeUrl`, and `edit` may change
 * a result (to play a node that lists what the chain lacks). Close it with close().
 */
export async function editedNode(
  nodeUrl: string,
  edit: (method: string, params: any, result: any) => any,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    const call = JSON.parse(body);
    const reply = (await (
      await fetch(nodeUrl, { method: "POST", headers: { "content-type": "application/json" }, body })
    ).json()) as { result?: unknown };
    if (reply.result !== undefined) reply.result = edit(call.method, call.params, reply.result);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(reply));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/rpc`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A TCP port free right now on 127.0.0.1 (for a server whose URL must be known before it starts). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The echo dApp's command, and the same dApp altered from its third input on (ECHO_ALTER_FROM=2). */
export const ECHO = [process.execPath, ECHO_DAPP];

/**
 * The devnet with the echo dApp as the tests run it: free ports, 4-block epochs, half-second
 * blocks, 50 ms polls, its log lines into `log`; `extra` adds or overrides options.
 */
export function startEchoDevnet<Extra extends object = Record<never, never>>(
  stateDir: string,
  log: (line: string) => void,
  extra: Partial<DevnetOptions<Extra>> = {},
) {
  return startDevnet<Extra>({
    stateDir,
    epochLength: 4,
    blockTime: 0.5,
    port: 0,
    rollupHttpPort: 0,
    anvilPort: 0,
    dapp: ECHO,
    pollIntervalMs: 50,
    log,
    ...extra,
  });
}
export const ECHO_ALTERED = ["env", "ECHO_ALTER_FROM=2", process.execPath, ECHO_DAPP];

/**
 * A devnet running the echo dApp with `inputs` inputs ("reading 0", "reading 1", …) sent and
 * every epoch claimed and accepted: the chain the replay tests replay. Stop it, then remove `dir`.
 */
export async function startEchoChain(prefix: string, inputs: number): Promise<{ devnet: Devnet; dir: TempDir }> {
  const dir = tempDir(prefix);
  const devnet = await startEchoDevnet(dir.path, () => {});
  const clients = chainClients(devnet.chainRpcUrl);
  const sender = clients.wallet(0);
  for (let i = 0; i < inputs; i++) {
    const hash = await sender.writeContract({
      address: devnet.inputBox,
      abi: inputBoxAbi,
      functionName: "addInput",
      args: [devnet.application, stringToHex(`reading ${i}`)],
    });
    await clients.pub.waitForTransactionReceipt({ hash });
  }
  await waitFor(
    "every input claimed",
    async () => {
      const list = (
        await rpcResult(devnet.jsonRpcUrl, "cartesi_listEpochs", { application: devnet.application, limit: 1000 })
      ).data as { status: string; input_index_upper_bound: string }[];
      return (
        list.length > 0 &&
        parseInt(list.at(-1)!.input_index_upper_bound, 16) === inputs &&
        list.every((e) => e.status === "CLAIM_ACCEPTED")
      );
    },
    45_000,
  );
  return { devnet, dir };
}
