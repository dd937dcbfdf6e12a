// The settling input reads a period's device summaries packed from period_devices (keyed by
// address, WITHOUT ROWID) and hashes them a tree level per WASM call: its devicesRoot,
// deviceCount and listed summaries are, byte for byte, those of grouping the period's records
// (deviceSummariesById, the reference) with the tree built leaf by leaf (deviceSummariesTree),
// for devices arriving in any address order over several batches, some in more than one.

import { describe, expect, it } from "vitest";
import { encodeRecordBatch } from "@lcore/protocol/recordBatch";
import { deviceSummariesTree } from "@lcore/protocol/deviceSummaries";
import { unpackDeviceSummaries } from "@lcore/protocol/packedDeviceSummaries";
import {
  SETTLEMENT_PERIOD_SECONDS,
  decodeSettlePeriodCall,
  decodeSettlementNotice,
  encodeSettlementTick,
} from "@lcore/protocol/settlement";
import { packedPeriodDeviceSummaries } from "@lcore/dapp";
import { T0, deviceSummariesById, record, registration, testDapp, testDevice, testOwner } from "./helpers.js";

describe("the packed settlement of a period's device summaries", () => {
  it("gives the reference's root, count and summaries for 150 devices over three batches", async () => {
    const { dapp, advance } = await testDapp();
    const owner = testOwner("packed");
    const devs = Array.from({ length: 150 }, (_, i) => testDevice(`packed-${i}`));
    const t = BigInt(T0) - (BigInt(T0) % SETTLEMENT_PERIOD_SECONDS) + 10n;
    const at = { msg_sender: owner.account.address, block_timestamp: Number(t) };
    for (const d of devs) expect(advance(registration(d, owner.address), at).status).toBe("accept");
    // Devices 0..99 once; 50..149 twice (100..149 start at seq 2); 0..9 again after a gap in their seqs.
    const batches = [
      devs.slice(0, 100).map((d) => record(d, 1n, t - 9n)),
      devs.slice(50).flatMap((d) => [record(d, 2n, t - 8n), record(d, 3n, t - 7n)]),
      devs.slice(0, 10).map((d) => record(d, 5n, t - 6n)),
    ];
    for (const b of batches) expect(advance(encodeRecordBatch(b), at).status).toBe("accept");

    const open = dapp.store.sql.one("SELECT open_period, open_first_record, open_count FROM settlement_state", [])!;
    const reference = deviceSummariesById(dapp.store, open[1] as bigint, open[2] as bigint);
    expect(reference).toHaveLength(150);
    expect(reference.filter((s) => s.count === 2n && s.firstSeq === 2n)).toHaveLength(50);
    expect(unpackDeviceSummaries(packedPeriodDeviceSummaries(dapp.store, open[0] as bigint))).toEqual(reference);
    const tree = deviceSummariesTree(reference);

    const r = advance(encodeSettlementTick(), { block_timestamp: Number(t + SETTLEMENT_PERIOD_SECONDS) });
    expect(r.status).toBe("accept");
    const notice = decodeSettlementNotice(r.outputs.find((o) => o.type === "notice")!.payload);
    expect(notice.summaries).toEqual(reference);
    expect(notice.deviceCount).toBe(150n);
    expect(notice.devicesRoot).toEqual(tree.root);
    const call = decodeSettlePeriodCall(r.outputs.find((o) => o.type === "voucher")!.payload as Uint8Array)!;
    expect(call).toMatchObject({ devicesRoot: tree.root, deviceCount: 150n, recordCount: 310n });
  }, 60_000);

  it("reads nothing for a period without rows", async () => {
    const { dapp } = await testDapp();
    expect(packedPeriodDeviceSummaries(dapp.store, 7n)).toEqual(new Uint8Array(0));
  });
});
