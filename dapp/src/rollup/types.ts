// The Rollup HTTP API v2 shapes (specs/rollup-http-api.yaml with the v2 metadata of
// DESIGN §6). Written here because @deroll/app types the v1 metadata.

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

export type RollupRequest =
  | { request_type: "advance_state"; data: { metadata: AdvanceMetadata; payload: Hex } }
  | { request_type: "inspect_state"; data: { payload: Hex } };

export type FinishStatus = "accept" | "reject";

export interface NoticeBody { payload: Hex }
export interface ReportBody { payload: Hex }
export interface VoucherBody { destination: Hex; value: Hex; payload: Hex }
export interface DelegateCallVoucherBody { destination: Hex; payload: Hex }
export interface ExceptionBody { payload: Hex }
export interface IndexResponse { index: number }
