// Several applications of one template on one devnet, as the real rollups-node runs them side
// by side: application 0 is the devnet's single application of old (same salt, name, ports and
// store file), and application i > 0 gets a salt, a name, a rollup HTTP port and a store file
// derived from i. Each has its own Authority, node store, rollup HTTP server, dApp process and
// claims; one read API server answers for all of them.

import { type Hex, encodePacked, keccak256 } from "viem";
import { InvalidArgumentError } from "./errors.js";

/** Most applications one devnet runs: each is a dApp process, a node loop and an anvil poller. */
export const MAX_APPLICATIONS = 16;

export function checkApplicationCount(count: number): void {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_APPLICATIONS)
    throw new InvalidArgumentError(`applications must be 1..${MAX_APPLICATIONS}, got ${count}`);
}

/** Application 0 keeps the devnet's salt; the others hash it with their index, so each lands at its own CREATE2 address. */
export function applicationSalt(baseSalt: Hex, index: number): Hex {
  return index === 0 ? baseSalt : keccak256(encodePacked(["bytes32", "uint256"], [baseSalt, BigInt(index)]));
}

/** "app", then "app-1", "app-2", … (the real node's names match ^[a-z0-9_-]{3,}$). */
export function applicationNameOf(baseName: string, index: number): string {
  return index === 0 ? baseName : `${baseName}-${index}`;
}

/** node.sqlite for application 0 (the single-application devnet's file), node-<i>.sqlite for the others. */
export function storeFileOf(index: number): string {
  return index === 0 ? "node.sqlite" : `node-${index}.sqlite`;
}

/** A fixed port moves up by the index; 0 (a free port) stays 0. */
export function rollupPortOf(basePort: number, index: number): number {
  return basePort === 0 ? 0 : basePort + index;
}
