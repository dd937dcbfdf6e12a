// The balances, bounties and submitters trees (PROTOCOL §5, §8.5, v2): after any sequence of
// deposits, transfers, withdrawals, bounty openings, solutions, refunds, grants and revokes,
// accepted or rejected, the stored nodes are exactly the non-empty nodes of the trees rebuilt
// here from the rows (with this file's own hashing and encodings), and the wallet and
// submitters hashes are the ones those trees give; a rejected input leaves the nodes as they
// were. Also: slots are handed out once (a revoked grant's slot stays empty), and the 2^32
// slot bound rejects with state_tree_full.
import { keccak_256 } from "@noble/hashes/sha3.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { recomputeSubmittersHash, recomputeWalletHash, stateHash } from "@lcore/dapp";
import { encodeBountyRefundClaim, encodeBountySolution, encodeBountySpec } from "@lcore/protocol/bounty";
import { toHex } from "@lcore/protocol/bytes";
import { encodeSubmitterGrant } from "@lcore/protocol/submitters";
import {
  ETHER_ASSET,
  encodeErc20Deposit,
  encodeEtherDeposit,
  encodeWalletTransfer,
  encodeWithdrawal,
} from "@lcore/protocol/wallet";
import { T0, reports, testDapp, testOwner } from "./helpers.js";

const ETHER_PORTAL = "0xA632c5c05812c6a6149B7af5C56117d1D2603828";
const ERC20_PORTAL = "0xACA6586A0Cf05bD831f2501E7B4aea550dA6562D";
const token = Uint8Array.from({ length: 20 }, (_, i) => 0x70 + i);
const people = [0, 1, 2, 3].map((i) => testOwner(`tree person ${i}`));
const problem = { tier: 1, elements: [2n, 3n, 5n, 7n, -4n, 9n, 1n, 11n], target: 14n }; // 2 + 3 + 9
const DEPTH = 32;

// ---- This file's own tree and encodings, from PROTOCOL §5 and §8.5. ----

const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const be = (v: bigint, bytes: number) =>
  Uint8Array.from({ length: bytes }, (_, i) =>
    Number((BigInt.asUintN(bytes * 8, v) >> BigInt(8 * (bytes - 1 - i))) & 255n),
  );
const ascii = (s: string) => new TextEncoder().encode(s);
const hex = (s: string) => Uint8Array.from(Buffer.from(s.slice(2), "hex"));
const zero: Uint8Array[] = [new Uint8Array(32)];
for (let k = 1; k <= DEPTH; k++) zero.push(keccak_256(cat(zero[k - 1]!, zero[k - 1]!)));

/** Every node of the tree over `leaves` that is not an empty subtree's, as "level/index" → hex, and the root. */
function rebuild(leaves: Map<number, Uint8Array>): { nodes: Map<string, string>; root: Uint8Array } {
  const nodes = new Map<string, string>();
  let level = leaves;
  for (let k = 0; ; k++) {
    for (const [i, h] of level) if (toHex(h) !== toHex(zero[k]!)) nodes.set(`${k}/${i}`, toHex(h));
    if (k === DEPTH) return { nodes, root: level.get(0) ?? zero[DEPTH]! };
    const up = new Map<number, Uint8Array>();
    for (const i of level.keys()) {
      const left = i - (i % 2);
      up.set(left / 2, keccak_256(cat(level.get(left) ?? zero[k]!, level.get(left + 1) ?? zero[k]!)));
    }
    level = up;
  }
}

type T = Awaited<ReturnType<typeof testDapp>>;
const rows = (t: T, sql: string) => {
  const out: any[][] = [];
  t.dapp.store.sql.all(sql, [], (v) => out.push(v));
  return out;
};
const storedNodes = (t: T, tree: number) =>
  new Map(
    rows(t, `SELECT level, idx, hash FROM table_tree_nodes WHERE tree = ${tree}`).map((v) => [
      `${v[0]}/${v[1]}`,
      toHex(v[2]),
    ]),
  );
const slots = (t: T, tree: number) =>
  Number(rows(t, `SELECT leaves FROM table_trees WHERE tree = ${tree}`)[0]?.[0] ?? 0n);

function bountyBytes(b: any): Uint8Array {
  return cat(
    be(BigInt(b.id), 8),
    hex(b.requester),
    hex(b.asset),
    be(BigInt(b.amount), 32),
    be(BigInt(b.tier), 1),
    be(BigInt(b.elements.length), 1),
    ...b.elements.map((e: string) => be(BigInt(e), 8)),
    be(BigInt(b.target), 8),
    be(BigInt(b.deadline), 8),
    be(BigInt(["open", "paid", "refunded"].indexOf(b.status)), 1),
    b.solver === null ? new Uint8Array(20) : hex(b.solver),
    be(BigInt(b.openedInput), 8),
    b.closedInput === null ? be((1n << 64n) - 1n, 8) : be(BigInt(b.closedInput), 8),
  );
}

/** The three trees rebuilt from the rows (bounties as inspect shows them), and the hashes they give. */
function expected(t: T) {
  const balances = new Map<number, Uint8Array>();
  for (const [owner, asset, amount, leaf] of rows(t, "SELECT owner, asset, amount, leaf FROM balances"))
    balances.set(Number(leaf), keccak_256(cat(owner, asset, amount)));
  const bounties = new Map<number, Uint8Array>();
  for (let id = 1; ; id++) {
    const r = t.inspect(`bounty/${id}`);
    if (r.status !== "accept") break;
    bounties.set(id - 1, keccak_256(bountyBytes(r.body)));
  }
  const grants = new Map<number, Uint8Array>();
  for (const [owner, submitter, input, leaf] of rows(t, "SELECT owner, submitter, granted_input, leaf FROM submitters"))
    grants.set(Number(leaf), keccak_256(cat(owner, submitter, be(input, 8))));
  const trees = [balances, bounties, grants].map(rebuild);
  const [b, y, g] = trees as [ReturnType<typeof rebuild>, ReturnType<typeof rebuild>, ReturnType<typeof rebuild>];
  const [nb, ny, ng] = [slots(t, 1), slots(t, 2), slots(t, 3)];
  expect(ny).toBe(bounties.size);
  const wallet =
    nb + ny === 0
      ? null
      : keccak_256(cat(ascii("lcore/v2/wallet"), b.root, be(BigInt(nb), 8), y.root, be(BigInt(ny), 8)));
  const submitters = ng === 0 ? null : keccak_256(cat(ascii("lcore/v2/submitters"), g.root, be(BigInt(ng), 8)));
  return { trees, wallet, submitters };
}

function check(t: T): void {
  const e = expected(t);
  for (const [k, tree] of e.trees.entries()) expect(storedNodes(t, k + 1)).toEqual(tree.nodes);
  const s = t.dapp.store.state();
  expect(s.walletHash == null ? null : toHex(s.walletHash)).toBe(e.wallet === null ? null : toHex(e.wallet));
  expect(s.submittersHash == null ? null : toHex(s.submittersHash)).toBe(
    e.submitters === null ? null : toHex(e.submitters),
  );
  expect(recomputeWalletHash(t.dapp.store)).toEqual(s.walletHash ?? null);
  expect(recomputeSubmittersHash(t.dapp.store)).toEqual(s.submittersHash ?? null);
  // The state hash: the v1 hash of the rest (unchanged, pinned in stateHash.test.ts), then the
  // wallet's and the submitters' hashes folded in under their v2 tags once they exist.
  let h = stateHash({ ...s, walletHash: null, submittersHash: null });
  if (e.wallet !== null) h = keccak_256(cat(ascii("lcore/v2/state+wallet"), h, e.wallet));
  if (e.submitters !== null) h = keccak_256(cat(ascii("lcore/v2/state+submitters"), h, e.submitters));
  expect(toHex(t.dapp.stateHash())).toBe(toHex(h));
}

const treeDump = (t: T) =>
  JSON.stringify(
    [
      rows(t, "SELECT * FROM table_tree_nodes ORDER BY tree, level, idx"),
      rows(t, "SELECT * FROM table_trees ORDER BY tree"),
    ],
    (_, v) => (typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? toHex(v) : v),
  );

// ---- The operations, each possibly refused. ----

const person = fc.nat({ max: 3 });
const op = fc.oneof(
  fc.record({ k: fc.constant("ether" as const), who: person, value: fc.bigInt({ min: 0n, max: 4n }) }),
  fc.record({ k: fc.constant("token" as const), who: person, value: fc.bigInt({ min: 0n, max: 4n }) }),
  fc.record({
    k: fc.constant("transfer" as const),
    who: person,
    to: person,
    ether: fc.boolean(),
    amount: fc.bigInt({ min: 0n, max: 5n }),
  }),
  fc.record({
    k: fc.constant("withdraw" as const),
    who: person,
    ether: fc.boolean(),
    amount: fc.bigInt({ min: 0n, max: 5n }),
  }),
  // Bounties weigh more: a solution or refund needs an opening before it.
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant("bounty" as const), who: person, value: fc.bigInt({ min: 1n, max: 9n }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant("solve" as const),
      who: person,
      id: fc.bigInt({ min: 1n, max: 3n }),
      right: fc.boolean(),
    }),
  },
  fc.record({ k: fc.constant("refund" as const), who: person, id: fc.bigInt({ min: 1n, max: 3n }) }),
  fc.record({ k: fc.constant("grant" as const), who: person, to: person, allowed: fc.boolean() }),
);
type Op = typeof op extends fc.Arbitrary<infer O> ? O : never;

function apply(t: T, o: Op, now: { t: number }) {
  const from = people[o.who]!;
  const at = { block_timestamp: now.t };
  switch (o.k) {
    case "ether":
      return t.advance(encodeEtherDeposit({ sender: from.address, value: o.value }), {
        msg_sender: ETHER_PORTAL,
        ...at,
      });
    case "token":
      return t.advance(encodeErc20Deposit({ token, sender: from.address, value: o.value }), {
        msg_sender: ERC20_PORTAL,
        ...at,
      });
    case "transfer":
      return t.advance(
        encodeWalletTransfer({ asset: o.ether ? ETHER_ASSET : token, to: people[o.to]!.address, amount: o.amount }),
        { msg_sender: from.account.address, ...at },
      );
    case "withdraw":
      return t.advance(encodeWithdrawal({ asset: o.ether ? ETHER_ASSET : token, amount: o.amount }), {
        msg_sender: from.account.address,
        ...at,
      });
    case "bounty": {
      const execLayerData = encodeBountySpec({ mode: "explicit", deadline: BigInt(now.t + 100), problem });
      return t.advance(encodeErc20Deposit({ token, sender: from.address, value: o.value, execLayerData }), {
        msg_sender: ERC20_PORTAL,
        ...at,
      });
    }
    case "solve":
      return t.advance(encodeBountySolution({ bountyId: o.id, indices: o.right ? [0, 1, 5] : [0, 1] }), {
        msg_sender: from.account.address,
        ...at,
      });
    case "refund":
      now.t += 150; // past the deadline of every bounty opened so far
      return t.advance(encodeBountyRefundClaim({ bountyId: o.id }), {
        msg_sender: from.account.address,
        block_timestamp: now.t,
      });
    case "grant":
      return t.advance(encodeSubmitterGrant({ allowed: o.allowed, submitter: people[o.to]!.address }), {
        msg_sender: from.account.address,
        ...at,
      });
  }
}

describe("table trees", () => {
  it("after any sequence of wallet, bounty and grant inputs the stored trees equal a rebuild from the rows; a rejected input leaves them untouched", async () => {
    let rejected = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), async (ops) => {
        const t = await testDapp();
        const now = { t: T0 };
        check(t);
        for (const o of ops) {
          const before = treeDump(t);
          const hash = toHex(t.dapp.stateHash());
          const r = apply(t, o, now);
          if (r.status === "reject") {
            rejected++;
            expect(reports(r).at(-1)!.reason).not.toBe("internal_error");
            expect(treeDump(t)).toBe(before);
            expect(toHex(t.dapp.stateHash())).toBe(hash);
          } else accepted++;
          check(t);
        }
      }),
      { numRuns: 40 },
    );
    // Both paths were taken often.
    expect(rejected).toBeGreaterThan(50);
    expect(accepted).toBeGreaterThan(50);
  });

  it("hands a slot out once: a balance that reaches zero and a revoked grant leave theirs empty, and come back in new ones", async () => {
    const t = await testDapp();
    const [a, b] = [people[0]!, people[1]!];
    const ok = (r: { status: string }) => expect(r.status).toBe("accept");
    ok(t.advance(encodeEtherDeposit({ sender: a.address, value: 5n }), { msg_sender: ETHER_PORTAL }));
    ok(t.advance(encodeWithdrawal({ asset: ETHER_ASSET, amount: 5n }), { msg_sender: a.account.address }));
    expect(rows(t, "SELECT count(*) FROM balances")[0]![0]).toBe(0n);
    ok(t.advance(encodeEtherDeposit({ sender: a.address, value: 1n }), { msg_sender: ETHER_PORTAL }));
    expect(rows(t, "SELECT leaf FROM balances")).toEqual([[1n]]);
    ok(t.advance(encodeSubmitterGrant({ allowed: true, submitter: b.address }), { msg_sender: a.account.address }));
    ok(t.advance(encodeSubmitterGrant({ allowed: false, submitter: b.address }), { msg_sender: a.account.address }));
    ok(t.advance(encodeSubmitterGrant({ allowed: true, submitter: b.address }), { msg_sender: a.account.address }));
    expect(rows(t, "SELECT leaf FROM submitters")).toEqual([[1n]]);
    expect([slots(t, 1), slots(t, 3)]).toEqual([2, 2]);
    expect(storedNodes(t, 1).has("0/0")).toBe(false); // the emptied slot holds no node
    check(t);
  });

  it("rejects a row that needs a slot past the 2^32 with state_tree_full, changing nothing; existing rows still change", async () => {
    const t = await testDapp();
    const [a, b] = [people[0]!, people[1]!];
    expect(t.advance(encodeEtherDeposit({ sender: a.address, value: 5n }), { msg_sender: ETHER_PORTAL }).status).toBe(
      "accept",
    );
    t.dapp.store.sql.run("UPDATE table_trees SET leaves = ? WHERE tree = 1", [2n ** 32n]);
    const before = treeDump(t);
    const r = t.advance(encodeWalletTransfer({ asset: ETHER_ASSET, to: b.address, amount: 1n }), {
      msg_sender: a.account.address,
    });
    expect(r.status).toBe("reject");
    expect(reports(r).at(-1)).toMatchObject({ reason: "state_tree_full" });
    expect(treeDump(t)).toBe(before);
    expect(t.advance(encodeEtherDeposit({ sender: a.address, value: 1n }), { msg_sender: ETHER_PORTAL }).status).toBe(
      "accept",
    );
    expect(t.inspect(`balances/${toHex(a.address)}`).body.balances).toEqual([
      { asset: toHex(ETHER_ASSET), amount: "6" },
    ]);
  });
});
