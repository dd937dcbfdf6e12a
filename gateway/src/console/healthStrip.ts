// The console's health strip (GET /v1/console/health): the outbox's depth at each stage,
// whether the Cartesi path is paused, the node's lag behind the chain, its last claim, the
// last settlement, and the dApp's rejections of the last hour with their reasons, summed
// up as one level:
//
//   alarm  the Cartesi path is paused (nothing reaches the chain), the application rejected
//          every input or every reading it judged in the last hour, or the chain or the node
//          does not answer
//   warn   /healthz is degraded for another reason (a stall, a failing loop, …)
//   ok     otherwise
//
// Each alarm and warning comes with a stable code and a sentence (README "Console").

import type { GatewayContext } from "../context.js";
import { toHex } from "@lcore/protocol/bytes";
import type { ActivityStore, Verdicts } from "../outbox/activityStore.js";
import type { NodeLag } from "./nodeLag.js";

/** The window of the rejection counts. */
export const HEALTH_WINDOW_MS = 3_600_000;

export interface StripReason {
  code: string;
  message: string;
}

const iso = (ms: number) => new Date(ms).toISOString();
const ageSeconds = (nowMs: number, ms: number) => Math.max(0, Math.round((nowMs - ms) / 1000));

/** The application rejects everything: it judged something in the window and accepted none of it. */
export function rejectsEverything(v: Verdicts): boolean {
  const inputs = v.inputsAccepted + v.inputsRejected > 0 && v.inputsAccepted === 0;
  const readings = v.readingsAccepted + v.readingsRejected > 0 && v.readingsAccepted === 0;
  return inputs || readings;
}

function alarms(ctx: GatewayContext, v: Verdicts): { alarm: StripReason[]; warn: StripReason[] } {
  const alarm: StripReason[] = [];
  const warn: StripReason[] = [];
  if (ctx.cartesi.paused)
    alarm.push({
      code: "cartesi_paused",
      message: "the Cartesi path is paused: readings wait in the outbox and nothing is sent to the chain",
    });
  if (rejectsEverything(v)) {
    const reasons = [...v.inputReasons, ...v.readingReasons].map((r) => `${r.reason} ×${r.count}`).join(", ");
    alarm.push({
      code: "application_rejects_everything",
      message: `the application accepted nothing it judged in the last hour (${v.inputsRejected} inputs and ${v.readingsRejected} readings rejected: ${reasons})`,
    });
  }
  for (const r of ctx.healthReport().reasons) {
    if (r.code === "chain_unreachable" || r.code === "node_unreachable") alarm.push(r);
    else warn.push(r);
  }
  return { alarm, warn };
}

export function healthStrip(ctx: GatewayContext, activity: ActivityStore, lag: NodeLag) {
  const nowMs = ctx.nowMs();
  const verdicts = activity.verdicts(nowMs - HEALTH_WINDOW_MS);
  const { alarm, warn } = alarms(ctx, verdicts);
  const settlement = activity.lastSettlement();
  const claimAtMs = lag.lastClaim?.at === null || lag.lastClaim === null ? null : Date.parse(lag.lastClaim.at);
  return {
    level: alarm.length > 0 ? ("alarm" as const) : warn.length > 0 ? ("warn" as const) : ("ok" as const),
    alarms: alarm,
    warnings: warn,
    at: iso(nowMs),
    outbox: {
      queuedReadings: ctx.outbox.queued,
      inputsWaitingForChain: ctx.outbox.inputs.countUnincluded(),
      inputsWaitingForVerdict: activity.waitingVerdict(),
    },
    cartesiPaused: ctx.cartesi.paused,
    node: {
      lagInputs: lag.lagInputs,
      lagBlocks: lag.lagBlocks,
      chainBlock: lag.chainBlock,
      nodeBlock: lag.nodeBlock,
      chainInputs: lag.chainInputs,
      processedInputs: lag.processedInputs,
      errors: lag.errors,
    },
    lastClaim:
      lag.lastClaim === null
        ? null
        : {
            ...lag.lastClaim,
            ageSeconds: claimAtMs === null || Number.isNaN(claimAtMs) ? null : ageSeconds(Date.now(), claimAtMs),
          },
    lastSettlement:
      settlement === undefined
        ? null
        : {
            period: settlement.period,
            recordCount: settlement.recordCount,
            txHash: settlement.executedTx === null ? null : toHex(settlement.executedTx),
            at: iso(settlement.executedMs),
            ageSeconds: ageSeconds(nowMs, settlement.executedMs),
          },
    lastHour: verdicts,
  };
}
