// The whole local stack: a chain (our own anvil, or an existing RPC with a funded key), the
// Rollups v2 contracts and an application, the host-mode node driving the dApp, and the read
// APIs. startDevnet resolves once everything answers and the dApp is up to date.

import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Hex } from "viem";
import { type Anvil, startAnvil } from "./anvil.js";
import type { ApiContext } from "./apiContext.js";
import { APPLICATION_NAME_PATTERN } from "./apiContext.js";
import { type ApiServer, startApiServer } from "./apiServer.js";
import { accountFromKey, connectChain, devnetAccount } from "./chainClient.js";
import { type Deployment, deployRollups } from "./deploy.js";
import { type LcoreContracts, deployLcoreContracts } from "./deployLcore.js";
import { DEFAULT_ANVIL_PORT, DEFAULT_API_PORT, DEFAULT_EPOCH_LENGTH, DEFAULT_ROLLUP_HTTP_PORT, DEFAULT_STATE_DIR } from "./defaults.js";
import { DappExitedError, DevnetError, InvalidArgumentError } from "./errors.js";
import { HostNode } from "./hostNode.js";
import { type RollupHttpServer, startRollupHttpServer } from "./rollupHttpServer.js";
import { type DappProcess, spawnDapp } from "./spawnDapp.js";
import { Store } from "./store.js";

export interface DevnetOptions {
  /** Where deployment.json, the node's SQLite store and anvil's state live. Default `.lcore/devnet`. */
  stateDir?: string;
  /** Blocks per epoch of the Authority. Default 10. */
  epochLength?: number;
  /** Interface every server binds to. Default 127.0.0.1. */
  host?: string;
  /** Port of the read APIs (/rpc, /graphql, /inspect). Default 8080; 0 picks a free port. */
  port?: number;
  /** Port of the rollup HTTP API the dApp talks to. Default 5004; 0 picks a free port. */
  rollupHttpPort?: number;
  /** Port of our own anvil. Default 8545; 0 picks a free port. Ignored with rpcUrl. */
  anvilPort?: number;
  /** Seconds between interval-mined blocks on our own anvil. Default 1. */
  blockTime?: number;
  /** Attach to this chain instead of starting anvil; needs privateKey. */
  rpcUrl?: string;
  /** Key that deploys, owns the Authority and the Application, and submits claims (with rpcUrl). */
  privateKey?: Hex;
  /** The dApp command; without it the node waits for a dApp started elsewhere at rollupHttpUrl. */
  dapp?: string[];
  dappEnv?: Record<string, string>;
  dappCwd?: string;
  /** The application's name in the read APIs. Default "app". */
  applicationName?: string;
  /** Salt of the Authority and the Application (another salt, another application). */
  salt?: Hex;
  templateHash?: Hex;
  /** How often the node polls the chain when idle. Default 250 ms. */
  pollIntervalMs?: number;
  /** Log lines; default: stderr. */
  log?: (message: string) => void;
  /** Abort a start in progress: what was started is stopped and startDevnet rejects. */
  signal?: AbortSignal;
}

export interface Devnet {
  ready: true;
  chainRpcUrl: string;
  rollupHttpUrl: string;
  jsonRpcUrl: string;
  graphqlUrl: string;
  inspectUrl: string;
  application: Hex;
  inputBox: Hex;
  authority: Hex;
  epochLength: number;
  deployment: DevnetDeployment;
  stateDir: string;
  /** Stop everything this devnet started (anvil, the dApp, servers); idempotent. */
  stop(): Promise<void>;
  /** Resolves with the reason if the stack fails on its own (the node hits a fatal error, the dApp or anvil exits). */
  failed: Promise<Error>;
}

/** deployment.json: the rollup's addresses and lcore's own contracts. */
export type DevnetDeployment = Deployment & { lcore: LcoreContracts };

/** anvil's account 0 (from its well-known mnemonic); never used by the node itself. */
export const ANVIL_ACCOUNT_0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

export { DEFAULT_EPOCH_LENGTH, DEFAULT_API_PORT, DEFAULT_ROLLUP_HTTP_PORT, DEFAULT_ANVIL_PORT, DEFAULT_STATE_DIR };

/** Write a file so that readers never see half of it. */
function writeAtomically(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}

export async function startDevnet(opts: DevnetOptions = {}): Promise<Devnet> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`devnet: ${m}\n`));
  const stateDir = resolve(opts.stateDir ?? DEFAULT_STATE_DIR);
  const epochLength = opts.epochLength ?? DEFAULT_EPOCH_LENGTH;
  const host = opts.host ?? "127.0.0.1";
  const applicationName = opts.applicationName ?? "app";
  if (!Number.isSafeInteger(epochLength) || epochLength < 1) throw new InvalidArgumentError(`epochLength must be a positive integer, got ${epochLength}`);
  if ((opts.rpcUrl === undefined) !== (opts.privateKey === undefined)) throw new InvalidArgumentError("rpcUrl and privateKey go together");
  if (!APPLICATION_NAME_PATTERN.test(applicationName)) throw new InvalidArgumentError("applicationName must match ^[a-z0-9_-]{3,}$");
  if (opts.dapp !== undefined && opts.dapp.length === 0) throw new InvalidArgumentError("dapp must be a non-empty command");

  // Everything started so far, stopped in reverse order on failure or stop().
  let anvil: Anvil | undefined;
  let store: Store | undefined;
  let rollup: RollupHttpServer | undefined;
  let dapp: DappProcess | undefined;
  let node: HostNode | undefined;
  let api: ApiServer | undefined;
  let stopping: Promise<void> | undefined;
  let reportFailure: (err: Error) => void = () => {};
  const failed = new Promise<Error>((resolve) => (reportFailure = resolve));

  const stop = () => {
    stopping ??= (async () => {
      const nodeStopped = node?.stop(); // flags the node first, so the closing server is not a failure
      await api?.close();
      await dapp?.stop(); // before its server goes away under a pending /finish
      await rollup?.close();
      await nodeStopped;
      store?.close();
      await anvil?.stop();
    })();
    return stopping;
  };
  const fail = (err: Error) => {
    if (stopping) return;
    log(`stopping: ${err.message}`);
    reportFailure(err);
  };
  const checkAbort = () => {
    if (opts.signal?.aborted) throw new DevnetError("LCORE_DEVNET_INVALID_ARGUMENT", "start aborted");
  };

  try {
    mkdirSync(stateDir, { recursive: true });
    let chainRpcUrl = opts.rpcUrl;
    if (chainRpcUrl === undefined) {
      anvil = await startAnvil({ host, port: opts.anvilPort ?? DEFAULT_ANVIL_PORT, blockTime: opts.blockTime ?? 1, statePath: join(stateDir, "anvil-state.json") });
      chainRpcUrl = anvil.url;
      void anvil.exited.then((code) => fail(new DevnetError("LCORE_DEVNET_CHAIN", `anvil exited (code ${code})`)));
      log(`anvil listening at ${chainRpcUrl}`);
    }
    checkAbort();
    const account = opts.privateKey ? accountFromKey(opts.privateKey) : devnetAccount();
    const clients = await connectChain(chainRpcUrl, account);
    const deployOptions: Parameters<typeof deployRollups>[1] = { epochLength, log };
    if (opts.salt) deployOptions.salt = opts.salt;
    if (opts.templateHash) deployOptions.templateHash = opts.templateHash;
    const rollups = await deployRollups(clients, deployOptions);
    // The test ERC-20 only on our own anvil, held by anvil's account 0 (free for people and tests).
    const lcore = await deployLcoreContracts(clients, rollups, { log, ...(anvil ? { testTokenHolder: ANVIL_ACCOUNT_0 } : {}) });
    const deployment: DevnetDeployment = { ...rollups, lcore };
    writeAtomically(join(stateDir, "deployment.json"), `${JSON.stringify(deployment, null, 2)}\n`);
    checkAbort();

    store = Store.open(join(stateDir, "node.sqlite"));
    store.bindIdentity({ chainId: deployment.chainId, application: deployment.application, epochLength, deploymentBlock: deployment.deploymentBlock });
    rollup = await startRollupHttpServer({ host, port: opts.rollupHttpPort ?? DEFAULT_ROLLUP_HTTP_PORT });
    let dappExited: Promise<never> = new Promise<never>(() => {});
    if (opts.dapp) {
      const spawnOptions: Parameters<typeof spawnDapp>[1] = { rollupHttpUrl: rollup.url };
      if (opts.dappEnv) spawnOptions.env = opts.dappEnv;
      if (opts.dappCwd) spawnOptions.cwd = opts.dappCwd;
      dapp = spawnDapp(opts.dapp, spawnOptions);
      dappExited = dapp.exited.then((code) => {
        const err = new DappExitedError(code);
        fail(err);
        throw err;
      });
      dappExited.catch(() => {});
    } else {
      log(`waiting for a dApp at ${rollup.url} (no dApp command given)`);
    }

    node = new HostNode({ clients, deployment, store, rollup, log, onFatal: fail, ...(opts.pollIntervalMs ? { pollIntervalMs: opts.pollIntervalMs } : {}) });
    await Promise.race([node.start(), dappExited]);
    checkAbort();

    const activeNode = node;
    const ctx: ApiContext = {
      store,
      deployment,
      clients,
      applicationName,
      processedInputCount: () => activeNode.processedInputCount,
      inspect: (payload) => activeNode.inspect(payload),
      createdAt: new Date().toISOString(),
    };
    api = await startApiServer(ctx, { host, port: opts.port ?? DEFAULT_API_PORT, log });
    checkAbort();

    return {
      ready: true,
      chainRpcUrl,
      rollupHttpUrl: rollup.url,
      jsonRpcUrl: `${api.url}/rpc`,
      graphqlUrl: `${api.url}/graphql`,
      inspectUrl: `${api.url}/inspect/${deployment.application}`,
      application: deployment.application,
      inputBox: deployment.contracts.InputBox,
      authority: deployment.authority,
      epochLength,
      deployment,
      stateDir,
      stop,
      failed,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
