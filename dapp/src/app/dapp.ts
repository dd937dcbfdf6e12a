// The state machine: one advance = one savepoint; accept commits it, reject rolls it
// back, so a rejected input leaves no trace, as the Cartesi machine's revert does.
// Every failure — decoding, a rule, an unexpected error — ends in a report and a
// reject, never in an exception that escapes.

import { DecodeError } from "@lcore/protocol/errors";
import { toHex } from "@lcore/protocol/bytes";
import { decodeInput } from "@lcore/protocol/input";
import { handleDeviceRevocation, handleKeyRotation } from "../devices/ownerOperations.js";
import { handleDeviceRegistration } from "../devices/registration.js";
import { handleRecordBatch } from "../records/recordBatch.js";
import { handleSubmitterGrant } from "../submitters/grant.js";
import { handleSettlementTick, settleDuePeriods } from "../settlement/settle.js";
import { handleKeyDisclosure } from "../disclosure/disclose.js";
import { handlePrunedDisclosure } from "../disclosure/disclosePruned.js";
import type { AdvanceContext } from "./context.js";
import type { Probe } from "./probe.js";
import type { RejectReason } from "@lcore/protocol/reasons";
import type { AdvanceOutcome, InspectOutcome, RollupHandler } from "../rollup/handler.js";
import type { AdvanceMetadata } from "../rollup/types.js";
import type { Database } from "sql.js";
import { openDatabase } from "../state/sqlite.js";
import { stateHash } from "../state/stateHash.js";
import { Store } from "../state/store.js";
import { inspect } from "./inspect.js";
import { parseMetadata } from "./metadata.js";
import { Outputs } from "./outputs.js";
import { isPortal } from "../deposits/portals.js";
import { handleDeposit } from "../deposits/deposit.js";
import { handleWalletTransfer, handleWithdrawal } from "../wallet/transfers.js";
import { handleBountyRefund, handleBountySolution } from "../bounties/bounty.js";
import { Rejection } from "./rejection.js";

export interface DappOptions {
  /** The sql.js database to work in (tests); a fresh one by default. */
  database?: Database;
  /** SQLite page size of the state (tests: the state hash must not depend on it). */
  pageSize?: number;
  probe?: Probe;
  /** Where unexpected errors are logged (they are also reported as `internal_error`). */
  log?: (line: string) => void;
}

export class Dapp implements RollupHandler {
  private readonly probe: Probe | undefined;
  private readonly log: (line: string) => void;

  private constructor(readonly store: Store, options: DappOptions) {
    this.probe = options.probe;
    this.log = options.log ?? (() => {});
  }

  /** A dApp over a fresh in-memory database. */
  static async create(options: DappOptions = {}): Promise<Dapp> {
    const store = new Store(options.database ?? (await openDatabase()), options.pageSize === undefined ? {} : { pageSize: options.pageSize });
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
      const meta = parseMetadata(metadata);
      const ctx: AdvanceContext = { store: this.store, meta, out, probe: this.probe };
      // Any input of a later settlement period, deposits included, settles the open one
      // before its own content (PROTOCOL §9); a rejection rolls the settlement back too.
      const settled = settleDuePeriods(ctx);
      const sender = metadata.msg_sender.toLowerCase();
      if (isPortal(sender)) {
        // Deposits: the portal's own payload layout, not the lcore envelope (deposits/).
        handleDeposit(ctx, sender, payload);
        this.store.commit();
        return { status: "accept", outputs: out.list };
      }
      const input = decodeInput(payload);
      this.probe?.lap("decode");
      switch (input.kind) {
        case "device_registration":
          handleDeviceRegistration(ctx, input);
          break;
        case "key_rotation":
          handleKeyRotation(ctx, input);
          break;
        case "device_revocation":
          handleDeviceRevocation(ctx, input);
          break;
        case "record_batch":
          handleRecordBatch(ctx, input);
          break;
        case "submitter_grant":
          handleSubmitterGrant(ctx, input);
          break;
        case "settlement_tick":
          handleSettlementTick(ctx, settled);
          break;
        case "key_disclosure":
          handleKeyDisclosure(ctx, input);
          break;
        case "pruned_disclosure":
          handlePrunedDisclosure(ctx, input);
          break;
        case "wallet_transfer":
          handleWalletTransfer(ctx, input);
          break;
        case "withdrawal":
          handleWithdrawal(ctx, input);
          break;
        case "bounty_solution":
          handleBountySolution(ctx, input);
          break;
        case "bounty_refund":
          handleBountyRefund(ctx, input);
          break;
      }
      this.store.commit();
      this.probe?.lap("other");
      return { status: "accept", outputs: out.list };
    } catch (e) {
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
        this.log(`internal error on input ${String(metadata.input_index)}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      }
      out.report({ type: "rejected", input: String(metadata.input_index), reason, detail, ...(record === undefined ? {} : { record }) });
      this.probe?.lap("other");
      return { status: "reject", outputs: out.list };
    }
  }

  inspect(payload: Uint8Array): InspectOutcome {
    const encode = (body: object) => new TextEncoder().encode(JSON.stringify(body));
    try {
      const a = inspect(this.store, payload);
      return { status: a.ok ? "accept" : "reject", reports: [encode(a.body)] };
    } catch (e) {
      this.log(`internal error on inspect ${toHex(payload.subarray(0, 64))}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return { status: "reject", reports: [encode({ error: "internal_error", detail: e instanceof Error ? e.message.slice(0, 300) : "" })] };
    }
  }
}
