// The records tree of recordsTree.ts built as records arrive: the frontier keeps, per level,
// the root of the last complete left subtree (at most 33 nodes for a u32 leaf count), so
// appending a leaf costs one hash amortised and the root of the padded tree costs
// ceil(log2(count)) more. The dApp keeps one for its open settlement period, so settling a
// period does not reread and rehash its records (issue 27: a tick over 9,318 records took 0.65 s).
// frontierRoot(leaves appended) = recordsRoot(leaves) for every count ≥ 1 (test/recordsFrontier.test.ts).

import { keccak256 } from "@lcore/wasm-core";

/** Levels 0..32: a u32 leaf count has at most 33 complete subtrees on its way up. */
export const FRONTIER_LEVELS = 33;
export const FRONTIER_LENGTH = FRONTIER_LEVELS * 32;
const MAX_LEAVES = 2 ** 32;

const pair = new Uint8Array(64);
function parent(left: Uint8Array, right: Uint8Array): Uint8Array {
  pair.set(left);
  pair.set(right, 32);
  return keccak256(pair);
}

/** zeros[k]: the root of a subtree of 2^k zero leaves. */
const zeros: Uint8Array[] = [new Uint8Array(32)];
for (let k = 1; k < FRONTIER_LEVELS; k++) zeros.push(parent(zeros[k - 1]!, zeros[k - 1]!));

const node = (frontier: Uint8Array, k: number) => frontier.subarray(k * 32, k * 32 + 32);

/** An empty frontier. */
export function emptyFrontier(): Uint8Array {
  return new Uint8Array(FRONTIER_LENGTH);
}

/** Append the leaf number `count` (0-based) to `frontier`, in place. */
export function appendToFrontier(frontier: Uint8Array, count: number, leaf: Uint8Array): void {
  if (frontier.length !== FRONTIER_LENGTH) throw new RangeError(`a frontier is ${FRONTIER_LENGTH} bytes`);
  if (leaf.length !== 32) throw new RangeError("a leaf is 32 bytes");
  if (!Number.isSafeInteger(count) || count < 0 || count >= MAX_LEAVES) throw new RangeError(`leaf index ${count}`);
  let h = leaf;
  let k = 0;
  // Each set low bit of count is a complete left subtree waiting for its right sibling: this one.
  for (let n = count; n % 2 === 1; n = (n - 1) / 2) h = parent(node(frontier, k++), h);
  frontier.set(h, k * 32);
}

/** The root over the `count` leaves appended, padded with zero leaves to the next power of two, as recordsRoot. */
export function frontierRoot(frontier: Uint8Array, count: number): Uint8Array {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_LEAVES) throw new RangeError(`leaf count ${count}`);
  let depth = 0;
  while (2 ** depth < count) depth++;
  if (2 ** depth === count) return node(frontier, depth).slice();
  // Walk up from the first empty leaf: `h` is the subtree holding it (undefined while all zero).
  let h: Uint8Array | undefined;
  let n = count;
  for (let k = 0; k < depth; k++, n = Math.floor(n / 2)) {
    if (n % 2 === 1) h = parent(node(frontier, k), h ?? zeros[k]!);
    else if (h !== undefined) h = parent(h, zeros[k]!);
  }
  return h!.slice();
}
