// What the chaos harness checks once the faults stop: the gateway drained, every reading it
// answered 202 in exactly one accepted record (the dApp's records_accepted notices, as the node
// serves them), the node's outputs and claims equal `lcore replay` from the chain, and a
// settlement period still settles (period_settled notice, its voucher executed on chain).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { decodeNotice } from "@lcore/protocol/notices";
// @ts-expect-error: a plain ESM script without type declarations
import { ROOT } from "../../scripts/stack.mjs";
import { rpc } from "./chain.mjs";

const run = promisify(execFile);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const hex = (b) => `0x${Buffer.from(b).toString("hex")}`;

async function gql(h, query) {
  const res = await fetch(h.stack.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(20_000),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** Every notice the node serves, decoded, with its input index. */
async function notices(h) {
  const out = [];
  let after = null;
  for (;;) {
    const page = await gql(
      h,
      `{ notices(first: 1000${after ? `, after: "${after}"` : ""}) { edges { cursor node { payload input { index } } } pageInfo { hasNextPage } } }`,
    );
    for (const e of page.notices.edges) {
      out.push({
        input: Number(e.node.input.index),
        notice: decodeNotice(Buffer.from(e.node.payload.slice(2), "hex")),
      });
      after = e.cursor;
    }
    if (!page.notices.pageInfo.hasNextPage) return out;
  }
}

/** The gateway's queued readings (lcore_gw_outbox_queued_readings). */
async function outboxQueued(h) {
  const text = await (await fetch(`${h.stack.gatewayUrl}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const m = /^lcore_gw_outbox_queued_readings\s+(\S+)/m.exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

/** lost / duplicated of the 202 readings, from the node's records_accepted notices. */
export async function countReadings(h) {
  const seen = new Map();
  for (const { input, notice } of await notices(h)) {
    if (notice.kind !== "records_accepted") continue;
    for (const r of notice.records) {
      const key = `${hex(r.device)}:${r.seq}`;
      seen.set(key, [...(seen.get(key) ?? []), input]);
    }
  }
  let lost = 0;
  let duplicated = 0;
  const lostSample = [];
  for (const key of h.accepted202) {
    const inputs = seen.get(key) ?? [];
    if (inputs.length === 0) {
      lost++;
      if (lostSample.length < 5) lostSample.push(key);
    }
    if (inputs.length > 1) duplicated++;
  }
  return { readings: h.accepted202.size, lost, duplicated, lostSample, queued: await outboxQueued(h) };
}

/** Polls until nothing is lost and the outbox is empty, or timeoutMs passes; the last count either way. */
export async function waitDrained(h, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await countReadings(h);
      if (last.lost === 0 && last.queued === 0) return { ...last, drainedMs: timeoutMs - (deadline - Date.now()) };
    } catch (e) {
      last = { ...last, error: e.message };
    }
    if (Date.now() > deadline) return { ...last, drainedMs: undefined };
    await sleep(1000);
  }
}

/** The report's lines (stdout), without the dApp's log and the progress bar. */
const verdict = (out) =>
  out
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("replay [") && !l.startsWith("lcore-dapp:"))
    .join("\n")
    .trim();

/** `lcore replay --node`: the node's outputs and accepted claims against a replay of the chain. */
export async function replay(h) {
  const args = ["cli/dist/lcore.js", "replay", "--rpc", h.chain.url, "--application", h.stack.application];
  try {
    const { stdout } = await run(process.execPath, [...args, "--node", h.stack.jsonRpcUrl], {
      cwd: ROOT,
      timeout: 120_000,
    });
    return { ok: true, out: verdict(stdout) };
  } catch (e) {
    return { ok: false, out: verdict(e.stdout ?? "") || `${e.stderr ?? ""}`.trim() || e.message };
  }
}

/** Settlement continues: the clock moves a period on and a new period settles with its voucher executed. */
export async function settles(h, timeoutMs) {
  let seen = {};
  const settled = async () => {
    const periods = (await notices(h)).filter((n) => n.notice.kind === "period_settled").map((n) => n.input);
    const v = await gql(h, "{ vouchers(first: 1000) { edges { node { executed input { index } } } } }");
    const executed = new Set(v.vouchers.edges.filter((e) => e.node.executed).map((e) => Number(e.node.input.index)));
    seen = { periodSettledInInputs: periods, executedVoucherInputs: [...executed] };
    return periods.filter((i) => executed.has(i));
  };
  const before = new Set(await settled());
  // Past the end of the latest period the chain's clock ever reached: after the clock went back,
  // the dApp keeps its period (it never moves back), so only passing that period's end settles.
  const head = await h.chain.head();
  const reached = Math.max(head.timestamp, h.maxTimestamp ?? 0);
  const target = (Math.floor(reached / 3600) + 1) * 3600 + 5;
  await rpc(h.chain.url, "evm_increaseTime", [target - head.timestamp]);
  await rpc(h.chain.url, "evm_mine", []);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const fresh = (await settled().catch(() => [])).filter((i) => !before.has(i));
    if (fresh.length > 0) return { ok: true, input: fresh[0] };
    await sleep(1000);
  }
  return { ok: false, before: [...before], ...seen };
}
