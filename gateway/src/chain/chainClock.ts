// The chain's clock, for the one check that may go by it: whether a disclosure period is
// over (disclosures/disclosures.ts). The dApp keeps time by block timestamps, so where the
// chain runs ahead of the wall clock (a local chain moved forward with evm_increaseTime,
// the documented way to try a disclosure on the local stack) the gateway may go by it too.
// Only ever later than the wall clock: a chain behind it changes nothing, and so does a
// chain that does not answer.

import { createPublicClient, http } from "viem";

/** The latest block's time in ms, or null when the chain cannot say (no chain configured, or it does not answer). */
export async function chainNowMs(rpcUrl: string | undefined): Promise<number | null> {
  if (rpcUrl === undefined) return null;
  try {
    const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0, timeout: 2_000 }) });
    const latest = await client.getBlock({ blockTag: "latest" });
    return Number(latest.timestamp) * 1000;
  } catch {
    return null;
  }
}

/** The later of the wall clock and the chain's. */
export async function laterOfClocks(wallMs: number, rpcUrl: string | undefined): Promise<number> {
  const chainMs = await chainNowMs(rpcUrl);
  return chainMs === null ? wallMs : Math.max(wallMs, chainMs);
}
