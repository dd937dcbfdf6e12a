// The whole local stack: a chain (our own anvil, or an existing RPC with a funded key), the
// Rollups v2 contracts and an application, the host-mode node driving the dApp, and the read
// APIs. startDevnet resolves once everything answers and the dApp is up to date. A dApp's own
// contracts are deployed by its `afterDeploy` hook, whose result joins deployment.json.

import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Hex } from "viem";
import { nonceManager } from "viem";
import { type Anvil, startAnvil } from "./anvil.js";
import type { ApiContext } from "./apiContext.js";
import { APPLICATION_NAME_PATTERN } from "./apiContext.js";
import { type ApiServer, startApiServer } from "./apiServer.js";
import {
  applicationNameOf,
  applicationSalt,
  checkApplicationCount,
  rollupPortOf,
  storeFileOf,
} from "./applications.js";
import { type ChainClients, accountFromKey, connectChain, devnetAccount } from "./chainClient.js";
import { CANONICAL_SALT, type Deployment, deployRollups } from "./deploy.js";
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
  /** The application's name in the read APIs. Default "app"; application i > 0 is "<name>-<i>". */
  applicationName?: string;
  /**
   * Applications of the same template to deploy and run side by side (applications.ts), each
   * with its own Authority, store, rollup HTTP server, dApp process and claims. Default 1.
   */
  applications?: number;
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
  /** Every application of the devnet, in order; the first is `deployment`. */
  applications: Deployment[];
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
  /** Every application the devnet runs (one unless `applications` says more); the first is `application`. */
  applications: DevnetApplication[];
  stateDir: string;
  /** Stop everything this devnet started (anvil, the dApp, servers); idempotent. */
  stop(): Promise<void>;
  /** Resolves with the reason if the stack fails on its own (the node hits a fatal error, the dApp or anvil exits). */
  failed: Promise<Error>;
}

/**
 * deployment.json: the rollup's addresses, and what the afterDeploy hook returned; with more
 * than one application, `applications` lists every one's rollup deployment (the first is the top level's).
 */
export type DevnetDeployment<Extra extends object = Record<never, never>> = Deployment &
  Extra & { applications?: Deployment[] };

/** One application of the devnet and the URLs that answer for it. */
export interface DevnetApplication {
  index: number;
  name: string;
  application: Hex;
  authority: Hex;
  deployment: Deployment;
  rollupHttpUrl: string;
  inspectUrl: string;
  graphqlUrl: string;
  /** Stop (SIGSTOP) this application's dApp process: its inputs wait, the other applications go on. */
  suspendDapp(): void;
  /** Let a suspended dApp go on (SIGCONT). */
  resumeDapp(): void;
}

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
  applications: number;
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
    const { deployment, rollups } = await deploy(opts, settings, clients, parts.anvil !== undefined);
    checkAbort();
    // One after the other: each replays its inputs to its dApp, and the machine has few cores.
    for (const [index, rollup] of rollups.entries()) {
      await startNode(opts, settings, parts, clients, rollup, index);
      checkAbort();
    }
    const api = await startReadApis(settings, parts, clients, rollups, opts.port ?? DEFAULT_API_PORT);
    checkAbort();
    const applications = rollups.map((rollup, index) => describeApplication(settings, parts, api, rollup, index));
    return {
      ready: true,
      chainRpcUrl,
      rollupHttpUrl: applications[0]!.rollupHttpUrl,
      jsonRpcUrl: `${api.url}/rpc`,
      graphqlUrl: `${api.url}/graphql`,
      inspectUrl: applications[0]!.inspectUrl,
      application: deployment.application,
      inputBox: deployment.contracts.InputBox,
      authority: deployment.authority,
      epochLength: settings.epochLength,
      blockConfidence: settings.blockConfidence,
      deployment,
      applications,
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
    applications: opts.applications ?? 1,
  };
  const { epochLength } = settings;
  checkApplicationCount(settings.applications);
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

/** One application's node: its store, rollup HTTP server, dApp and loop. */
interface NodeParts {
  store: Store;
  rollup: RollupHttpServer;
  dapp: DappSupervisor | undefined;
  node: HostNode;
}

/** Everything started so far, stopped in reverse order on failure or stop(). */
class Parts {
  anvil: Anvil | undefined;
  /** One per application, in order. */
  readonly nodes: Partial<NodeParts>[] = [];
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
      // Each node is flagged first, so its closing server is not a failure.
      const nodesStopped = this.nodes.map((n) => n.node?.stop());
      await this.api?.close();
      await Promise.all(this.nodes.map((n) => n.dapp?.stop())); // before their servers go away under a pending /finish
      await Promise.all(this.nodes.map((n) => n.rollup?.close()));
      await Promise.all(nodesStopped);
      for (const n of this.nodes) n.store?.close();
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
  // Several applications' claimers send from one key at once: viem's nonce manager hands each
  // send its own nonce (one application alone keeps the chain's pending count, as before).
  const manager = settings.applications > 1 ? nonceManager : undefined;
  const account = opts.privateKey ? accountFromKey(opts.privateKey, manager) : devnetAccount(manager);
  return { chainRpcUrl, clients: await connectChain(chainRpcUrl, account) };
}

/** The rollup's contracts and every application, then the afterDeploy hook's; written as deployment.json. */
async function deploy<Extra extends object>(
  opts: DevnetOptions<Extra>,
  settings: Settings,
  clients: ChainClients,
  ownAnvil: boolean,
): Promise<{ deployment: DevnetDeployment<Extra>; rollups: Deployment[] }> {
  const rollups: Deployment[] = [];
  for (let index = 0; index < settings.applications; index++) {
    const deployOptions: Parameters<typeof deployRollups>[1] = {
      epochLength: settings.epochLength,
      log: settings.log,
      salt: applicationSalt(opts.salt ?? CANONICAL_SALT, index),
    };
    if (opts.templateHash) deployOptions.templateHash = opts.templateHash;
    rollups.push(await deployRollups(clients, deployOptions));
  }
  const first = rollups[0]!;
  const extra =
    (await opts.afterDeploy?.({ clients, deployment: first, log: settings.log, ownAnvil, applications: rollups })) ??
    {};
  for (const key of Object.keys(extra)) {
    if (key in first || key === "applications")
      throw new InvalidArgumentError(`afterDeploy returned "${key}", a key of the rollup's own deployment`);
  }
  const deployment = {
    ...first,
    ...extra,
    ...(rollups.length > 1 ? { applications: rollups } : {}),
  } as DevnetDeployment<Extra>;
  writeAtomically(join(settings.stateDir, "deployment.json"), `${JSON.stringify(deployment, null, 2)}\n`);
  return { deployment, rollups };
}

/** One application's store, rollup HTTP API, dApp (if a command is given) and node, up to date with the chain. */
async function startNode(
  opts: DevnetOptions<object>,
  settings: Settings,
  parts: Parts,
  clients: ChainClients,
  deployment: Deployment,
  index: number,
): Promise<void> {
  const own: Partial<NodeParts> = {};
  parts.nodes.push(own);
  const store = Store.open(join(settings.stateDir, storeFileOf(index)));
  own.store = store;
  store.bindIdentity({
    chainId: deployment.chainId,
    application: deployment.application,
    epochLength: settings.epochLength,
    deploymentBlock: deployment.deploymentBlock,
  });
  const rollup = await startRollupHttpServer({
    host: settings.host,
    port: rollupPortOf(opts.rollupHttpPort ?? DEFAULT_ROLLUP_HTTP_PORT, index),
  });
  own.rollup = rollup;
  const dapp = startDapp(opts, settings, parts, rollup.url);
  own.dapp = dapp;
  const log =
    index === 0
      ? settings.log
      : (m: string) => settings.log(`[${applicationNameOf(settings.applicationName, index)}] ${m}`);
  const node = new HostNode({
    clients,
    deployment,
    store,
    rollup,
    blockConfidence: settings.blockConfidence,
    log,
    onFatal: (err) => parts.fail(err),
    ...(dapp ? { dapp } : {}),
    ...(opts.pollIntervalMs ? { pollIntervalMs: opts.pollIntervalMs } : {}),
  });
  own.node = node;
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
    this.signal("SIGCONT"); // a suspended process would not see SIGTERM until continued
    await this.process?.stop();
  }

  /** SIGSTOP or SIGCONT to the dApp's process group (spawnDapp makes it its leader). */
  signal(signal: "SIGSTOP" | "SIGCONT"): void {
    const pid = this.process?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone: its exit is reported on its own.
    }
  }
}

/** JSON-RPC, GraphQL and inspect over the nodes' stores, each application at its address (or name). */
async function startReadApis(
  settings: Settings,
  parts: Parts,
  clients: ChainClients,
  rollups: Deployment[],
  port: number,
): Promise<ApiServer> {
  const createdAt = new Date().toISOString();
  const contexts: ApiContext[] = rollups.map((deployment, index) => {
    const { node, store } = parts.nodes[index] as NodeParts;
    return {
      store,
      deployment,
      clients,
      applicationName: applicationNameOf(settings.applicationName, index),
      processedInputCount: () => node.processedInputCount,
      inspect: (payload) => node.inspect(payload),
      createdAt,
    };
  });
  for (const ctx of contexts) ctx.fleet = contexts;
  parts.api = await startApiServer(contexts[0]!, { host: settings.host, port, log: settings.log });
  return parts.api;
}

function describeApplication(
  settings: Settings,
  parts: Parts,
  api: ApiServer,
  deployment: Deployment,
  index: number,
): DevnetApplication {
  const own = parts.nodes[index] as NodeParts;
  return {
    index,
    name: applicationNameOf(settings.applicationName, index),
    application: deployment.application,
    authority: deployment.authority,
    deployment,
    rollupHttpUrl: own.rollup.url,
    inspectUrl: `${api.url}/inspect/${deployment.application}`,
    graphqlUrl: `${api.url}/graphql/${deployment.application}`,
    suspendDapp: () => own.dapp?.signal("SIGSTOP"),
    resumeDapp: () => own.dapp?.signal("SIGCONT"),
  };
}

/** Write a file so that readers never see half of it. */
function writeAtomically(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}
