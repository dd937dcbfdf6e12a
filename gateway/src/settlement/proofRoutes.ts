// GET /v1/readings/{device}/{seq}/proof: the inclusion proof of a settled reading in its
// period's records tree (PROTOCOL §9), checked against LcoreSettlement on chain.

import { encodeRecord, recordHash } from "@lcore/protocol/recordBatch";
import { type RecordsTree, recordsTree, verifyRecordsProof } from "@lcore/protocol/recordsTree";
import { settlementAddress } from "@lcore/protocol/settlement";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { lcoreSettlementAbi } from "@lcore/contracts";
import { type Hex, type PublicClient, createPublicClient, http } from "viem";
import type { GatewayContext } from "../context.js";
import { GatewayError } from "../http/errors.js";
import type { ReadingRow } from "../outbox/readingStore.js";
import type { PeriodRow, RecordPlace } from "../outbox/settlementStore.js";
import { equalBytes, fromHex, toHex } from "@lcore/protocol/bytes";
import { ErrorBody, InclusionProof, ReadingParams } from "../http/schemas.js";
import { createRateLimiter } from "../util/rateLimit.js";
import { leafIndex } from "./settlementFollower.js";

/**
 * Trees kept built, the least recently used dropped first. Building one costs a Keccak per
 * record and a settled period never changes, so requests for one period share it
 * (measured: 100,000 records take 0.23 s to build and ~330 bytes each in memory; a
 * proof from the built tree takes 3 µs).
 */
const CACHED_TREES = 2;
/**
 * Records hashed into new trees, all clients together: the route is open, and asking in
 * turn for readings of three large periods would otherwise rebuild a tree on every request
 * (the event loop blocked 0.2 s per 100,000 records). Requests served from a built tree
 * cost nothing; a period larger than the burst takes a full bucket.
 */
const BUILD_RECORDS_PER_SECOND = 200_000;
const BUILD_RECORDS_BURST = 2_000_000;

export function proofRoutes(ctx: GatewayContext): FastifyPluginAsyncTypebox {
  const treeOf = periodTrees(ctx);
  const settlement = toHex(settlementAddress(ctx.appBytes));
  const rpcUrl = ctx.options.chain?.rpcUrl;
  const client =
    rpcUrl === undefined
      ? undefined
      : createPublicClient({ transport: http(rpcUrl, { retryCount: 0, timeout: 10_000 }) });

  return async (app) => {
    app.get(
      "/v1/readings/:device/:seq/proof",
      {
        schema: {
          tags: ["readings"],
          summary: "Inclusion proof of a settled reading in its period's records tree, verified on chain",
          description:
            "409 LCORE_GW_READING_NOT_ACCEPTED before the dApp accepted the reading, 409 LCORE_GW_READING_NOT_SETTLED until its period's settlement is executed on chain.",
          params: ReadingParams,
          response: { 200: InclusionProof, "4xx": ErrorBody, "5xx": ErrorBody },
        },
      },
      async (request) => {
        const reading = settledReading(ctx, request.params.device, request.params.seq);
        const { period, recordsRoot } = reading;
        const leaf = readingLeaf(reading.row);
        const count = period.recordCount!;
        const { index, proof } = checkedProof(treeOf, reading, leaf);
        const verifiedOnChain = await verifyOnChain(client, settlement, period.period, leaf, index, proof);
        return {
          period: period.period.toString(),
          recordHash: toHex(leaf),
          index,
          proof: proof.map(toHex),
          recordsRoot: toHex(recordsRoot),
          recordCount: count.toString(),
          settlementAddress: settlement,
          settlementTxHash: period.executedTx === null ? null : toHex(period.executedTx),
          verifiedOnChain,
        };
      },
    );
  };
}

/** A period's records tree; null if the outbox lacks some of its leaves. */
type TreeOf = (period: bigint, first: bigint, count: bigint) => RecordsTree | null;

/** Trees kept for the CACHED_TREES periods asked for last; new ones are built within the BUILD_RECORDS_* budget. */
function periodTrees(ctx: GatewayContext): TreeOf {
  const trees = new Map<bigint, RecordsTree>();
  const builds = createRateLimiter(BUILD_RECORDS_PER_SECOND, BUILD_RECORDS_BURST);
  return (period, first, count) => {
    let tree = trees.get(period);
    if (tree === undefined) {
      const take = builds.take("all", Math.min(Number(count), BUILD_RECORDS_BURST), ctx.nowMs());
      if (!take.ok)
        throw new GatewayError("LCORE_GW_RATE_LIMITED", "too many proof trees built; retry", {
          retryAfter: take.retryAfterSeconds,
        });
      const leaves = ctx.outbox.settlements.leaves(first, count);
      if (leaves.length !== Number(count)) return null;
      tree = recordsTree(leaves);
      if (trees.size >= CACHED_TREES) trees.delete(trees.keys().next().value!);
    } else {
      trees.delete(period);
    }
    trees.set(period, tree);
    return tree;
  };
}

/** An accepted reading whose period's settlement is executed on chain. */
interface SettledReading {
  row: ReadingRow;
  place: RecordPlace;
  period: PeriodRow;
  recordsRoot: Uint8Array;
}

function settledReading(ctx: GatewayContext, deviceHex: string, seqText: string): SettledReading {
  const device = fromHex(deviceHex);
  const seq = BigInt(seqText);
  const row = seq < 1n << 64n ? ctx.outbox.readings.get(device, seq) : undefined;
  if (row === undefined) throw new GatewayError("LCORE_GW_READING_NOT_FOUND");
  if (row.outcome !== "accepted") throw new GatewayError("LCORE_GW_READING_NOT_ACCEPTED");
  const place = ctx.outbox.settlements.place(device, seq);
  const period = place?.period;
  if (
    place === undefined ||
    period === null ||
    period === undefined ||
    period.executedMs === null ||
    period.recordsRoot === null
  ) {
    throw new GatewayError("LCORE_GW_READING_NOT_SETTLED");
  }
  return { row, place, period, recordsRoot: period.recordsRoot };
}

/** The reading's leaf in its period's records tree: the hash of its wire record. */
function readingLeaf(row: ReadingRow): Uint8Array {
  return recordHash(
    encodeRecord({
      device: row.device,
      seq: row.seq,
      timestamp: row.timestamp,
      bodyHash: row.bodyHash,
      signature: row.signature,
      sealed: row.sealed,
    }),
  );
}

/** The reading's index and proof in its period's tree, checked against the period's root. */
function checkedProof(
  treeOf: TreeOf,
  { place, period, recordsRoot }: SettledReading,
  leaf: Uint8Array,
): { index: number; proof: Uint8Array[] } {
  const count = period.recordCount!;
  const index = leafIndex(place.recordId, period.firstRecord!, count);
  const tree = treeOf(period.period, period.firstRecord!, count);
  const proof = tree === null ? [] : tree.proof(index);
  // The follower's copy of the chain must reproduce the dApp's root; anything else is our bug, not the caller's.
  if (
    tree === null ||
    !equalBytes(tree.root, recordsRoot) ||
    !equalBytes(leaf, place.recordHash) ||
    !verifyRecordsProof(recordsRoot, Number(count), leaf, index, proof)
  ) {
    throw new GatewayError("LCORE_GW_INTERNAL", `the records of period ${period.period} do not reproduce its root`);
  }
  return { index, proof };
}

/** LcoreSettlement.verifyRecord for the proof; the chain being unreachable or unconfigured is a 503. */
async function verifyOnChain(
  client: PublicClient | undefined,
  settlement: Hex,
  period: bigint,
  leaf: Uint8Array,
  index: number,
  proof: Uint8Array[],
): Promise<boolean> {
  if (client === undefined) throw new GatewayError("LCORE_GW_CHAIN_UNAVAILABLE");
  try {
    return await client.readContract({
      address: settlement,
      abi: lcoreSettlementAbi,
      functionName: "verifyRecord",
      args: [period, toHex(leaf), BigInt(index), proof.map(toHex)],
    });
  } catch (error) {
    throw new GatewayError("LCORE_GW_CHAIN_UNAVAILABLE", undefined, { cause: error });
  }
}
