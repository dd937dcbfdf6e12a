// Shared by the end-to-end tests: clients for anvil's dev accounts, the read APIs, and polling.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type Account,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { ANVIL_MNEMONIC } from "@lcore/devnet";

export const ECHO_DAPP = fileURLToPath(new URL("./fixtures/echo-dapp.mjs", import.meta.url));

export function tempDir(prefix: string): { path: string; remove(): void } {
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
