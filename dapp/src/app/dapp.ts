// The state machine: one advance = one savepoint; accept commits it, reject rolls it
// back, so a rejected input leaves no trace, as the Cartesi machine's revert does.
// Every failure — decoding, a rule, an unexpected error — ends in a report and a
// reject, never in an exception that escapes. What each input or query means is its
// feature's business: dispatch.ts hands it over.

import type { Database } from "sql.js";
import { toHex } from "@lcore/protocol/bytes";
import { DecodeError } from "@lcore/protocol/errors";
import type { RejectReason } from "@lcore/protocol/reasons";
import type { AdvanceOutcome, InspectOutcome, RollupHandler } from "../rollup/handler.js";
import type { AdvanceMetadata } from "@lcore/devnet/rollup-http-api";
import { openDatabase } from "../state/sqlite.js";
import { stateHash } from "../state/stateHash.js";
import { Store } from "../state/store.js";
import type { AdvanceContext } from "../context/advance.js";
import { dispatchAdvance, dispatchInspect } from "./dispatch.js";
import { parseMetadata } from "../context/metadata.js";
import { Outputs } from "../context/outputs.js";
import type { Probe } from "../context/probe.js";
import { Rejection } from "../context/rejection.js";
import { PRUNE_STEP_RECORDS } from "@lcore/protocol/bounds";
import { pruneStep } from "../settlement/pruneSteps.js";

export interface DappOptions {
  /** The sql.js database to work in (tests); a fresh one by default. */
  database?: Database;
  /** SQLite page size of the state (tests: the state hash must not depend on it). */
  pageSize?: number;
  probe?: Probe;
  /** Where unexpected errors are logged (they are also reported as `internal_error`). */
  log?: (line: string) => void;
  /** Rows of the pruning backlog each accepted input deletes (tests: a small step; no output depends on it). */
  pruneStepRecords?: number;
}

export class Dapp implements RollupHandler {
  private readonly probe: Probe | undefined;
  private readonly log: (line: string) => void;
  private readonly pruneStepRecords: number;

  private constructor(
    readonly store: Store,
    options: DappOptions,
  ) {
    this.probe = options.probe;
    this.log = options.log ?? (() => {});
    this.pruneStepRecords = options.pruneStepRecords ?? PRUNE_STEP_RECORDS;
  }

  /** A dApp over a fresh in-memory database. */
  static async create(options: DappOptions = {}): Promise<Dapp> {
    const store = new Store(
      options.database ?? (await openDatabase()),
      options.pageSize === undefined ? {} : { pageSize: options.pageSize },
    );
    return new Dapp(store, options);
  }

  stateHash(): Uint8Array {
    return stateHash(this.store.state());
  }

  advance(metadata: AdvanceMetadata, payload: Uint8Array): AdvanceOutcome {
    const out = new Outputs();
    this.probe?.start();
    this.store.begin();
    try {
      const ctx: AdvanceContext = { store: this.store, meta: parseMetadata(metadata), out, probe: this.probe };
      dispatchAdvance(ctx, metadata.msg_sender.toLowerCase(), payload);
      // Pruning's physical work, a bounded step per accepted input (PROTOCOL §11): in the savepoint, after the input.
      pruneStep(this.store, this.pruneStepRecords);
      this.store.commit();
      this.probe?.lap("other");
      return { status: "accept", outputs: out.list };
    } catch (e) {
      return this.reject(metadata, out, e);
    }
  }

  /** Roll the advance back and end it in the `rejected` report (reports survive a reject; notices and vouchers do not). */
  private reject(metadata: AdvanceMetadata, out: Outputs, e: unknown): AdvanceOutcome {
    this.store.rollback();
    out.keepReportsOnly();
    let reason: RejectReason;
    let detail: string;
    const record = e instanceof Rejection ? e.record : undefined;
    if (e instanceof Rejection || e instanceof DecodeError) {
      reason = e.reason;
      detail = e.detail;
    } else {
      reason = "internal_error";
      detail = e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 300) : "non-Error thrown";
      this.log(
        `internal error on input ${String(metadata.input_index)}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
    }
    out.report({
      type: "rejected",
      input: String(metadata.input_index),
      reason,
      detail,
      ...(record === undefined ? {} : { record }),
    });
    this.probe?.lap("other");
    return { status: "reject", outputs: out.list };
  }

  inspect(payload: Uint8Array): InspectOutcome {
    const encode = (body: object) => new TextEncoder().encode(JSON.stringify(body));
    try {
      const a = dispatchInspect(this.store, payload);
      return { status: a.ok ? "accept" : "reject", reports: [encode(a.body)] };
    } catch (e) {
      this.log(
        `internal error on inspect ${toHex(payload.subarray(0, 64))}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
      return {
        status: "reject",
        reports: [encode({ error: "internal_error", detail: e instanceof Error ? e.message.slice(0, 300) : "" })],
      };
    }
  }
}
