// The dApp process over the real rollup HTTP API (devnet's server on a free port).
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "@lcore/protocol/bytes";
import { decodeNotice } from "@lcore/protocol/notices";
import { encodeRecordBatch } from "@lcore/protocol/recordBatch";
import { decodeOutput, spawnDapp, startRollupHttpServer } from "@lcore/devnet";
import { meta, record, registration, testDevice, testOwner } from "./helpers.js";
import { builtMain, startDappProcess } from "./process.js";

const owner = testOwner("alice");
const text = (h: `0x${string}`) => new TextDecoder().decode(fromHex(h));

describe("dApp process", () => {
  it("accepts, rejects with reports, answers inspect, and keeps serving after garbage", async () => {
    const running = await startDappProcess();
    try {
      const { server } = running;
      const dev = testDevice("a");
      const reg = await server.advance(
        meta({ input_index: 0, msg_sender: owner.account.address }),
        toHex(registration(dev, owner.address)),
      );
      expect(reg.status).toBe("ACCEPTED");
      expect(decodeOutput(reg.outputs[0]!)?.type).toBe("Notice");

      const junk = await server.advance(meta({ input_index: 1 }), "0xdeadbeef");
      expect(junk).toEqual({ status: "REJECTED", outputs: [], reports: [expect.any(String)] });
      expect(JSON.parse(text(junk.reports[0]!))).toMatchObject({
        type: "rejected",
        reason: "unknown_kind",
        input: "1",
      });

      const batch = await server.advance(
        meta({ input_index: 2, msg_sender: owner.account.address }),
        toHex(encodeRecordBatch([record(dev, 1n), record(dev, 1n)])),
      );
      expect(batch.status).toBe("ACCEPTED");
      const out = decodeOutput(batch.outputs[0]!);
      if (out?.type !== "Notice") throw new Error("expected a notice");
      const notice = decodeNotice(fromHex(out.payload));
      expect(notice.kind === "records_accepted" && notice.records.map((r) => r.seq)).toEqual([1n]);
      expect(JSON.parse(text(batch.reports[0]!))).toMatchObject({
        type: "skipped",
        records: [{ index: 1, reason: "seq_not_increasing" }],
      });

      const answer = await server.inspect(toHex(new TextEncoder().encode(`record/${toHex(dev.address)}/1`)));
      expect(answer.status).toBe("ACCEPTED");
      expect(JSON.parse(text(answer.reports[0]!))).toMatchObject({ seq: "1", inputIndex: "2" });
      const bad = await server.inspect("0x6e6f7065");
      expect(bad.status).toBe("REJECTED");
      const state = JSON.parse(text((await server.inspect(toHex(new TextEncoder().encode("state-hash")))).reports[0]!));
      expect(state.stateHash).toBe(toHex(notice.stateHash));
    } finally {
      await running.stop();
    }
  });

  it("exits non-zero when the rollup server goes away instead of spinning", async () => {
    const server = await startRollupHttpServer({ port: 0, finishTimeoutMs: 50 });
    const proc = spawnDapp([process.execPath, builtMain()], { rollupHttpUrl: server.url });
    try {
      expect((await server.inspect("0x636f756e74657273")).status).toBe("ACCEPTED");
      await server.close();
      expect(await proc.exited).toBe(1);
    } finally {
      await proc.stop();
    }
  });
});

describe("dApp process start-up", () => {
  it("waits for a rollup server that is not up yet", async () => {
    // Find a free port, release it, start the dApp on it, then bring the server up there.
    const probe = await startRollupHttpServer({ port: 0 });
    const url = probe.url;
    await probe.close();
    const proc = spawnDapp([process.execPath, builtMain()], { rollupHttpUrl: url });
    try {
      await new Promise((r) => setTimeout(r, 500));
      const server = await startRollupHttpServer({ port: Number(new URL(url).port) });
      try {
        expect((await server.inspect("0x636f756e74657273")).status).toBe("ACCEPTED");
      } finally {
        await server.close();
      }
    } finally {
      await proc.stop();
    }
  });
});
