// What the read APIs (JSON-RPC, GraphQL, inspect) share: the store, the deployment, the node,
// the chain, and the application as the real node describes it.

import { getAddress } from "viem";
import type { ChainClients } from "./chainClient.js";
import type { Deployment } from "./deploy.js";
import type { Hex } from "./hex.js";
import type { InspectResponse } from "./hostNode.js";
import type { Store } from "./store.js";

export interface ApiContext {
  store: Store;
  deployment: Deployment;
  clients: ChainClients;
  /** The node's name for the application (the real node's `name`, matched by ^[a-z0-9_-]{3,}$). */
  applicationName: string;
  processedInputCount(): number;
  inspect(payload: Hex): Promise<InspectResponse>;
  createdAt: string;
  /**
   * Every application the node serves, this one included, when it serves several
   * (applications.ts); calls naming another application are answered by that one's context.
   */
  fleet?: readonly ApiContext[];
}

/** Version reported by cartesi_getNodeVersion: the v2 API this devnet emulates, marked as the devnet. */
export const NODE_VERSION = "2.0.0-lcore-devnet";

export const APPLICATION_NAME_PATTERN = /^[a-z0-9_-]{3,}$/;

/** Does a name-or-address parameter designate the devnet's application? */
export function isOurApplication(ctx: ApiContext, nameOrAddress: string): boolean {
  return (
    nameOrAddress === ctx.applicationName || nameOrAddress.toLowerCase() === ctx.deployment.application.toLowerCase()
  );
}

/** The context of the application a name-or-address designates, among those the node serves; `ctx` itself if none does. */
export function contextOf(ctx: ApiContext, nameOrAddress: unknown): ApiContext {
  if (typeof nameOrAddress !== "string") return ctx;
  return ctx.fleet?.find((other) => isOurApplication(other, nameOrAddress)) ?? ctx;
}

/** The Go node marshals addresses and hashes lowercase (go-ethereum's MarshalText). */
export const lower = (hex: string): Hex => hex.toLowerCase() as Hex;
/** go-ethereum's Address.Hex() and rollups-graphql's String(): EIP-55 checksummed. */
export const checksummed = (address: string): Hex => getAddress(address);
