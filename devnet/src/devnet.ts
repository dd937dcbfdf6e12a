// The whole local stack: a chain (our own anvil, or an existing RPC with a funded key), the
// Rollups v2 contracts and an application, the host-mode node driving the dApp, and the read
// APIs. startDevnet resolves once everything answers and the dApp is up to date. A dApp's own
// contracts are deployed by its `afterDeploy` hook, whose result joins deployment.json.

import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Hex } from "viem";
import { type Anvil, startAnvil } from "./anvil.js";
import type { ApiContext } from "./apiContext.js";
import { APPLICATION_NAME_PATTERN } from "./apiContext.js";
import { type ApiServer, startApiServer } from "./apiServer.js";
import { type ChainClients, accountFromKey, connectChain, devnetAccount } from "./chainClient.js";
import { type Deployment, deployRollups } from "./deploy.js";
import {
  BLOCK_CONFIDENCES,
  type BlockConfidence,
  DEFAULT_ANVIL_PORT,
  DEFAULT_API_PORT,
  DEFAULT_BLOCK_CONFIDENCE,
  DEFAULT_EPOCH_LENGTH,
  DEFAULT_ROLLUP_HTTP_PORT,
  DEFAULT_STATE_DIR,
} from "./defaults.js";
import { DappExitedError, DevnetError, InvalidArgumentError } from "./errors.js";
import { HostNode } from "./hostNode.js";
import { type RollupHttpServer, startRollupHttpServer } from "./rollupHttpServer.js";
import { type DappProcess, type SpawnDappOptions, spawnDapp } from "./spawnDapp.js";
import { Store } from "./store.js";

export interface DevnetOptions<Extra extends object = Record<never, never>> {
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
  /**
   * Blocks per anvil "epoch" on our own anvil: `safe` is that many blocks behind `latest`,
   * `finalized` twice as many. Default 1.
   */
  slotsInAnEpoch?: number;
  /**
   * The blocks the node reads inputs, executions and accepted claims from (the real node's
   * CARTESI_BLOCKCHAIN_DEFAULT_BLOCK): "latest", "safe" or "finalized". Default "finalized".
   */
  blockConfidence?: BlockConfidence;
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
  /**
   * Runs once the rollup is deployed, before the node starts, on every start (make it
   * idempotent, as the rollup's own deployment is): the place to deploy a dApp's own contracts.
   * What it returns is merged into deployment.json and `devnet.deployment`, beside the rollup's
   * addresses (whose keys it must not reuse).
   */
  afterDeploy?: AfterDeploy<Extra>;
}

/** What an afterDeploy hook is given. */
export interface AfterDeployContext {
  /** Clients for the chain, signing with the devnet's key (anvil's account 9, or privateKey). */
  clients: ChainClients;
  /** The rollup just deployed (or found in place). */
  deployment: Deployment;
  log: (message: string) => void;
  /** True when the devnet started the chain itself (anvil, with its known dev accounts); false with rpcUrl. */
  ownAnvil: boolean;
}

export type AfterDeploy<Extra extends object = Record<never, never>> = (
  ctx: AfterDeployContext,
) => Promise<Extra | undefined>;

export interface Devnet<Extra extends object = Record<never, never>> {
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
  /** The blocks the node reads from. */
  blockConfidence: BlockConfidence;
  deployment: DevnetDeployment<Extra>;
  stateDir: string;
  /** Stop everything this devnet started (anvil, the dApp, servers); idempotent. */
  stop(): Promise<void>;
  /** Resolves with the reason if the stack fails on its own (the node hits a fatal error, the dApp or anvil exits). */
  failed: Promise<Error>;
}

/** deployment.json: the rollup's addresses, and what the afterDeploy hook returned. */
export type DevnetDeployment<Extra extends object = Record<never, never>> = Deployment & Extra;

/** anvil's account 0 (from its well-known mnemonic); never used by the node itself. */
export const ANVIL_ACCOUNT_0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

export {
  DEFAULT_EPOCH_LENGTH,
  DEFAULT_API_PORT,
  DEFAULT_ROLLUP_HTTP_PORT,
  DEFAULT_ANVIL_PORT,
  DEFAULT_STATE_DIR,
  DEFAULT_BLOCK_CONFIDENCE,
  BLOCK_CONFIDENCES,
  type BlockConfidence,
};

/** The options every step reads, checked and with their defaults. */
interface Settings {
  log: (message: string) => void;
  stateDir: string;
  epochLength: number;
  host: string;
  applicationName: string;
  blockConfidence: BlockConfidence;
}

export async function startDevnet<Extra extends object = Record<never, never>>(
  opts: DevnetOptions<Extra> = {},
): Promise<Devnet<Extra>> {
  const settings = checkOptions(opts);
  const parts = new Parts(settings.log);
  const checkAbort = () => {
    if (opts.signal?.aborted) throw new DevnetError("LCORE_DEVNET_INVALID_ARGUMENT", "start aborted");
  };
  try {
    mkdirSync(settings.stateDir, { recursive: true });
    const { chainRpcUrl, clients } = await startChain(opts, settings, parts);
    checkAbort();
    const deployment = await deploy(opts, settings, clients, parts.anvil !== undefined);
    checkAbort();
    await startNode(opts, settings, parts, clients, deployment);
    checkAbort();
    const api = await startReadApis(settings, parts, clients, deployment, opts.port ?? DEFAULT_API_PORT);
    checkAbort();
    return {
      ready: true,
      chainRpcUrl,
      rollupHttpUrl: parts.rollup!.url,
      jsonRpcUrl: `${api.url}/rpc`,
      graphqlUrl: `${api.url}/graphql`,
      inspectUrl: `${api.url}/inspect/${deployment.application}`,
      application: deployment.application,
      inputBox: deployment.contracts.InputBox,
      authority: deployment.authority,
      epochLength: settings.epochLength,
      blockConfidence: settings.blockConfidence,
      deployment,
      stateDir: settings.stateDir,
      stop: () => parts.stop(),
      failed: parts.failed,
    };
  } catch (err) {
    await parts.stop();
    throw err;
  }
}

function checkOptions(opts: DevnetOptions<object>): Settings {
  const settings: Settings = {
    log: opts.log ?? ((m: string) => process.stderr.write(`devnet: ${m}\n`)),
    stateDir: resolve(opts.stateDir ?? DEFAULT_STATE_DIR),
    epochLength: opts.epochLength ?? DEFAULT_EPOCH_LENGTH,
    host: opts.host ?? "127.0.0.1",
    applicationName: opts.applicationName ?? "app",
    blockConfidence: opts.blockConfidence ?? DEFAULT_BLOCK_CONFIDENCE,
  };
  const { epochLength } = settings;
  if (!BLOCK_CONFIDENCES.includes(settings.blockConfidence))
    throw new InvalidArgumentError(
      `blockConfidence must be ${BLOCK_CONFIDENCES.join(", ")}, got ${settings.blockConfidence}`,
    );
  if (!Number.isSafeInteger(epochLength) || epochLength < 1)
    throw new InvalidArgumentError(`epochLength must be a positive integer, got ${epochLength}`);
  if ((opts.rpcUrl === undefined) !== (opts.privateKey === undefined))
    throw new InvalidArgumentError("rpcUrl and privateKey go together");
  if (!APPLICATION_NAME_PATTERN.test(settings.applicationName))
    throw new InvalidArgumentError("applicationName must match ^[a-z0-9_-]{3,}$");
  if (opts.dapp !== undefined && opts.dapp.length === 0)
    throw new InvalidArgumentError("dapp must be a non-empty command");
  return settings;
}

/** Everything started so far, stopped in reverse order on failure or stop(). */
class Parts {
  anvil: Anvil | undefined;
  store: Store | undefined;
  rollup: RollupHttpServer | undefined;
  dapp: DappSupervisor | undefined;
  node: HostNode | undefined;
  api: ApiServer | undefined;
  readonly failed: Promise<Error>;
  private reportFailure: (err: Error) => void = () => {};
  private stopping: Promise<void> | undefined;

  constructor(private readonly log: (message: string) => void) {
    this.failed = new Promise<Error>((resolve) => (this.reportFailure = resolve));
  }

  /** A part failed on its own: report it once, unless the devnet is stopping anyway. */
  fail(err: Error): void {
    if (this.stopping) return;
    this.log(`stopping: ${err.message}`);
    this.reportFailure(err);
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const nodeStopped = this.node?.stop(); // flags the node first, so the closing server is not a failure
      await this.api?.close();
      await this.dapp?.stop(); // before its server goes away under a pending /finish
      await this.rollup?.close();
      await nodeStopped;
      this.store?.close();
      await this.anvil?.stop();
    })();
    return this.stopping;
  }
}

/** Our own anvil (its state kept in the state directory), or the chain at rpcUrl; clients signing with the devnet's key. */
async function startChain(
  opts: DevnetOptions<object>,
  settings: Settings,
  parts: Parts,
): Promise<{ chainRpcUrl: string; clients: ChainClients }> {
  let chainRpcUrl = opts.rpcUrl;
  if (chainRpcUrl === undefined) {
    const anvil = await startAnvil({
      host: settings.host,
      port: opts.anvilPort ?? DEFAULT_ANVIL_PORT,
      blockTime: opts.blockTime ?? 1,
      ...(opts.slotsInAnEpoch === undefined ? {} : { slotsInAnEpoch: opts.slotsInAnEpoch }),
      statePath: join(settings.stateDir, "anvil-state.json"),
    });
    parts.anvil = anvil;
    chainRpcUrl = anvil.url;
    void anvil.exited.then((code) => parts.fail(new DevnetError("LCORE_DEVNET_CHAIN", `anvil exited (code ${code})`)));
    settings.log(`anvil listening at ${chainRpcUrl}`);
  }
  const account = opts.privateKey ? accountFromKey(opts.privateKey) : devnetAccount();
  return { chainRpcUrl, clients: await connectChain(chainRpcUrl, account) };
}

/** The rollup's contracts and application, then the afterDeploy hook's; written as deployment.json. */
async function deploy<Extra extends object>(
  opts: DevnetOptions<Extra>,
  settings: Settings,
  clients: ChainClients,
  ownAnvil: boolean,
): Promise<DevnetDeployment<Extra>> {
  const deployOptions: Parameters<typeof deployRollups>[1] = { epochLength: settings.epochLength, log: settings.log };
  if (opts.salt) deployOptions.salt = opts.salt;
  if (opts.templateHash) deployOptions.templateHash = opts.templateHash;
  const rollups = await deployRollups(clients, deployOptions);
  const extra = (await opts.afterDeploy?.({ clients, deployment: rollups, log: settings.log, ownAnvil })) ?? {};
  for (const key of Object.keys(extra)) {
    if (key in rollups)
      throw new InvalidArgumentError(`afterDeploy returned "${key}", a key of the rollup's own deployment`);
  }
  const deployment = { ...rollups, ...extra } as DevnetDeployment<Extra>;
  writeAtomically(join(settings.stateDir, "deployment.json"), `${JSON.stringify(deployment, null, 2)}\n`);
  return deployment;
}

/** The node's store, the rollup HTTP API, the dApp (if a command is given) and the node, up to date with the chain. */
async function startNode(
  opts: DevnetOptions<object>,
  settings: Settings,
  parts: Parts,
  clients: ChainClients,
  deployment: Deployment,
): Promise<void> {
  const store = Store.open(join(settings.stateDir, "node.sqlite"));
  parts.store = store;
  store.bindIdentity({
    chainId: deployment.chainId,
    application: deployment.application,
    epochLength: settings.epochLength,
    deploymentBlock: deployment.deploymentBlock,
  });
  const rollup = await startRollupHttpServer({
    host: settings.host,
    port: opts.rollupHttpPort ?? DEFAULT_ROLLUP_HTTP_PORT,
  });
  parts.rollup = rollup;
  const dapp = startDapp(opts, settings, parts, rollup.url);
  const node = new HostNode({
    clients,
    deployment,
    store,
    rollup,
    blockConfidence: settings.blockConfidence,
    log: settings.log,
    onFatal: (err) => parts.fail(err),
    ...(dapp ? { dapp } : {}),
    ...(opts.pollIntervalMs ? { pollIntervalMs: opts.pollIntervalMs } : {}),
  });
  parts.node = node;
  await Promise.race([node.start(), dapp?.exited ?? new Promise<never>(() => {})]);
}

/** Spawn the dApp, unless it is started elsewhere (no dApp command). */
function startDapp(
  opts: DevnetOptions<object>,
  settings: Settings,
  parts: Parts,
  rollupHttpUrl: string,
): DappSupervisor | undefined {
  if (!opts.dapp) {
    settings.log(`waiting for a dApp at ${rollupHttpUrl} (no dApp command given)`);
    return undefined;
  }
  const spawnOptions: SpawnDappOptions = { rollupHttpUrl };
  if (opts.dappEnv) spawnOptions.env = opts.dappEnv;
  if (opts.dappCwd) spawnOptions.cwd = opts.dappCwd;
  const dapp = new DappSupervisor(opts.dapp, spawnOptions, (err) => parts.fail(err));
  parts.dapp = dapp;
  dapp.start();
  return dapp;
}

/**
 * The dApp process, which the node may replace with a fresh one (after a rollback that takes
 * back inputs it processed). A dApp that exits on its own is a failure; one the node stops is not.
 */
class DappSupervisor {
  private process: DappProcess | undefined;
  private stopping = false;
  private reject: (err: Error) => void = () => {};
  /** Rejects when a dApp exits on its own. */
  readonly exited: Promise<never>;

  constructor(
    private readonly command: string[],
    private readonly options: SpawnDappOptions,
    private readonly onExit: (err: Error) => void,
  ) {
    this.exited = new Promise<never>((_, reject) => (this.reject = reject));
    this.exited.catch(() => {});
  }

  start(): void {
    const dapp = spawnDapp(this.command, this.options);
    this.process = dapp;
    this.stopping = false;
    void dapp.exited.then((code) => {
      if (this.process !== dapp || this.stopping) return;
      const err = new DappExitedError(code);
      this.onExit(err);
      this.reject(err);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.process?.stop();
  }
}

/** JSON-RPC, GraphQL and inspect over the node's store. */
async function startReadApis(
  settings: Settings,
  parts: Parts,
  clients: ChainClients,
  deployment: Deployment,
  port: number,
): Promise<ApiServer> {
  const node = parts.node!;
  const ctx: ApiContext = {
    store: parts.store!,
    deployment,
    clients,
    applicationName: settings.applicationName,
    processedInputCount: () => node.processedInputCount,
    inspect: (payload) => node.inspect(payload),
    createdAt: new Date().toISOString(),
  };
  parts.api = await startApiServer(ctx, { host: settings.host, port, log: settings.log });
  return parts.api;
}

/** Write a file so that readers never see half of it. */
function writeAtomically(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}
