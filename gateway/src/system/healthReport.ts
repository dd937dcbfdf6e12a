// /healthz's answer: `ok`, or `degraded` with every reason (README "Health"). Degraded means
// the gateway still takes readings into its outbox but something downstream does not move:
//
//   chain_unreachable, node_unreachable  the upstream's last call got no answer
//   inclusion_stalled    a reading or input has waited stallSeconds for the chain, which answers,
//                        and nothing was mined in that time
//   verdicts_stalled     a mined input has waited verdictStallSeconds for the node's verdict, the
//                        node answers, and no verdict came in that time
//   loop_failing         a background loop's passes have failed loopFailingSeconds, for another
//                        reason than an upstream that does not answer
//   settlement_stalled, claim_missing, …   what a part reported itself (settlement/voucherExecutor.ts)
//
// A paused Cartesi path (chain/cartesiSwitch.ts) is not a stall: it is the operator's choice.

import type { HealthFigures } from "../metrics.js";
import type { HealthOptions } from "../options.js";
import type { Outbox } from "../outbox/outbox.js";
import type { Health, Upstream } from "./health.js";

export interface HealthReason {
  code: string;
  message: string;
  /** When the condition began, ISO 8601. */
  since: string;
}

export interface UpstreamView {
  up: boolean;
  lastSuccessAt: string | null;
  secondsSinceSuccess: number | null;
  lastError?: string;
}

export interface HealthAnswer extends HealthFigures {
  reasons: HealthReason[];
  chain?: UpstreamView;
  node?: UpstreamView;
}

export interface HealthSources {
  health: Health;
  outbox: Outbox;
  hasChain: boolean;
  hasNode: boolean;
  paused: () => boolean;
  options?: HealthOptions | undefined;
}

export const DEFAULT_HEALTH: Required<HealthOptions> = {
  stallSeconds: 300,
  verdictStallSeconds: 3600,
  settlementStallSeconds: 7200,
  loopFailingSeconds: 60,
};

const iso = (ms: number) => new Date(ms).toISOString();
const seconds = (ms: number) => Math.round(ms / 1000);

function view(u: Upstream, nowMs: number): UpstreamView {
  return {
    up: u.up,
    lastSuccessAt: u.lastSuccessMs === null ? null : iso(u.lastSuccessMs),
    secondsSinceSuccess: u.lastSuccessMs === null ? null : seconds(nowMs - u.lastSuccessMs),
    ...(u.up || u.lastError === null ? {} : { lastError: u.lastError }),
  };
}

function unreachable(u: Upstream, nowMs: number): HealthReason {
  const since = u.downSinceMs ?? nowMs;
  return {
    code: `${u.name}_unreachable`,
    message: `${u.label} has not answered since ${iso(since)} (${seconds(nowMs - since)} s): ${u.lastError ?? "no answer"}`,
    since: iso(since),
  };
}

/** A stage is stalled when its oldest item waited `limitMs` and the stage did not move for as long. */
function stalled(waitingSinceMs: number | null, quietSinceMs: number, limitMs: number, nowMs: number): number | null {
  if (waitingSinceMs === null) return null;
  const since = Math.max(waitingSinceMs, quietSinceMs);
  return nowMs - since > limitMs ? since : null;
}

function oldest(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

function stallReasons(src: HealthSources, o: Required<HealthOptions>, nowMs: number, out: HealthReason[]): void {
  const { health, outbox } = src;
  if (src.hasChain && !src.paused() && health.chain.up) {
    const waiting = oldest(outbox.readings.oldestQueuedMs(), outbox.inputs.oldestUnincludedMs());
    const quiet = Math.max(health.lastProgressMs("inclusion"), health.chain.upSinceMs);
    const since = stalled(waiting, quiet, o.stallSeconds * 1000, nowMs);
    if (since !== null)
      out.push({
        code: "inclusion_stalled",
        message: `the oldest reading or input waiting for the chain is ${seconds(nowMs - waiting!)} s old, and nothing was mined for ${seconds(nowMs - quiet)} s while the chain's RPC answers`,
        since: iso(since),
      });
  }
  if (src.hasNode && health.node.up) {
    const waiting = outbox.inputs.oldestUnprocessedMs();
    const quiet = Math.max(health.lastProgressMs("verdict"), health.node.upSinceMs);
    const since = stalled(waiting, quiet, o.verdictStallSeconds * 1000, nowMs);
    if (since !== null)
      out.push({
        code: "verdicts_stalled",
        message: `a mined input has waited ${seconds(nowMs - waiting!)} s for the node's verdict, and none came for ${seconds(nowMs - quiet)} s while the node answers`,
        since: iso(since),
      });
  }
}

export function healthReport(src: HealthSources, nowMs = Date.now()): HealthAnswer {
  const o = { ...DEFAULT_HEALTH, ...src.options };
  const { health, outbox } = src;
  const reasons: HealthReason[] = [];
  if (src.hasChain && !health.chain.up) reasons.push(unreachable(health.chain, nowMs));
  if (src.hasNode && !health.node.up) reasons.push(unreachable(health.node, nowMs));
  stallReasons(src, o, nowMs, reasons);
  for (const [loop, s] of health.loops) {
    if (s.unreachable || nowMs - s.sinceMs < o.loopFailingSeconds * 1000) continue;
    reasons.push({
      code: "loop_failing",
      message: `${loop}: ${s.failures} passes failed since ${iso(s.sinceMs)}: ${s.lastError}`,
      since: iso(s.sinceMs),
    });
  }
  for (const c of health.conditions())
    if (nowMs - c.sinceMs >= c.graceMs) reasons.push({ code: c.code, message: c.message, since: iso(c.sinceMs) });
  const inclusionSince = src.hasChain
    ? oldest(outbox.readings.oldestQueuedMs(), outbox.inputs.oldestUnincludedMs())
    : null;
  const verdictSince = src.hasNode ? outbox.inputs.oldestUnprocessedMs() : null;
  return {
    degraded: reasons.length > 0,
    reasons,
    oldest: {
      inclusion: inclusionSince === null ? null : seconds(nowMs - inclusionSince),
      verdict: verdictSince === null ? null : seconds(nowMs - verdictSince),
    },
    ...(src.hasChain ? { chain: view(health.chain, nowMs) } : {}),
    ...(src.hasNode ? { node: view(health.node, nowMs) } : {}),
  };
}
