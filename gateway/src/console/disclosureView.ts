// A disclosure as the console lists it: its device and day, where it is (the same progress
// as GET /v1/disclosures/{id}), once the dApp published it, its aggregate, and whether the
// aggregate's voucher is executed, i.e. recorded in LcoreSettlement.

import { toHex } from "@lcore/protocol/bytes";
import { DISCLOSURE_PERIOD_SECONDS } from "@lcore/protocol/bounds";
import { disclosureProgress } from "../disclosures/disclosures.js";
import type { AggregateStore } from "../outbox/aggregateStore.js";
import type { DisclosureState } from "../outbox/disclosureStore.js";

export function disclosureView(d: DisclosureState, aggregates: AggregateStore) {
  const voucher = d.voucher ? aggregates.ofPeriod(d.device, d.period) : undefined;
  const p = disclosureProgress(d);
  const r = d.result;
  return {
    id: d.inputId,
    device: toHex(d.device),
    day: d.period,
    date: new Date(d.period * Number(DISCLOSURE_PERIOD_SECONDS) * 1000).toISOString().slice(0, 10),
    status: p.status,
    final: p.final,
    aggregateVoucher: d.voucher,
    requestedAt: new Date(d.requestedMs).toISOString(),
    ...(p.txHash === undefined ? {} : { txHash: p.txHash }),
    ...(p.inputIndex === undefined ? {} : { inputIndex: p.inputIndex }),
    ...(p.reason === undefined ? {} : { reason: p.reason }),
    ...(r === null
      ? {}
      : {
          aggregate: {
            count: r.count.toString(),
            sum: r.sum.toString(),
            min: r.min.toString(),
            max: r.max.toString(),
            stateHash: toHex(r.stateHash),
            noticeIndex: r.noticeIndex,
          },
        }),
    ...(voucher === undefined
      ? {}
      : {
          aggregateOnChain: {
            outputIndex: voucher.voucherIndex,
            executed: voucher.executedMs !== null,
            ...(voucher.executedTx === null ? {} : { executedTx: toHex(voucher.executedTx) }),
          },
        }),
  };
}
