// What a fleet gateway is built from: one GatewayOptions per shard (its application, its own
// outbox file, its own submitter and executor accounts: each shard's submitter counts its own
// nonces), and what the front itself needs.

import type { FastifyServerOptions } from "fastify";
import type { Hex } from "viem";
import type { GatewayOptions } from "../options.js";

export interface FleetOptions {
  /** Shard i's gateway, in the fleet's order (LcoreFleet's shard indices). */
  shards: GatewayOptions[];
  /** LcoreFleet's address, shown in /v1/fleet (optional: the routing does not need it). */
  registry?: Hex;
  /** The front's logger; each shard logs with its own options. */
  logger?: FastifyServerOptions["logger"];
  /** How often /v1/fleet's last accepted claim is read from each shard's node. Default 2000 ms. */
  claimPollMs?: number;
}
