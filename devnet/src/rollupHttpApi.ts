// The rollup HTTP API's shapes (specs/rollup-http-api.yaml, with the v2 metadata of DESIGN §6):
// what a dApp sends and receives on POST /finish, /notice, /voucher, /delegate-call-voucher,
// /report and /exception. Types only, written once: this node's server uses them, and a dApp's
// loop imports them as `@lcore/devnet/rollup-http-api` (@deroll/app types the v1 metadata).

export type Hex = `0x${string}`;

/** v2 advance metadata. block_timestamp is in seconds (the block's timestamp). */
export interface AdvanceMetadata {
  chain_id: number;
  app_contract: Hex;
  msg_sender: Hex;
  block_number: number;
  block_timestamp: number;
  prev_randao: Hex;
  input_index: number;
}

/** The body of a 200 answer to POST /finish. */
export type RollupRequest =
  | { request_type: "advance_state"; data: { metadata: AdvanceMetadata; payload: Hex } }
  | { request_type: "inspect_state"; data: { payload: Hex } };

/** POST /finish {"status"}. */
export type FinishStatus = "accept" | "reject";

export interface NoticeBody {
  payload: Hex;
}
export interface ReportBody {
  payload: Hex;
}
export interface VoucherBody {
  destination: Hex;
  value: Hex;
  payload: Hex;
}
export interface DelegateCallVoucherBody {
  destination: Hex;
  payload: Hex;
}
export interface ExceptionBody {
  payload: Hex;
}
/** The 201 answer to /notice, /voucher and /delegate-call-voucher: the global output index. */
export interface IndexResponse {
  index: number;
}
