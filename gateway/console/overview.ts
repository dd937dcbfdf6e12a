// The shape of GET /v1/overview (gateway/src/http/schemas.ts, Overview), as the page reads it.
export type Status = "queued" | "submitted" | "included" | "processed" | "accepted" | "rejected" | "settled";

/** The steps the page draws; included and processed are drawn as submitted (between the two). */
export const LIFECYCLE: readonly Status[] = ["queued", "submitted", "accepted", "settled"];

export interface OverviewReading {
  device: string;
  seq: string;
  status: Status;
  /** The status can no longer change by the chain's doing (its input's block is finalized). */
  final: boolean;
  receivedAt: string;
  txHash?: string;
  inputIndex?: number;
  period?: string;
  reason?: string;
}

export interface Overview {
  devices: {
    device: string;
    lastSeq: string | null;
    registration: { status: Status; txHash?: string };
    /** What the chain says of the device (GET /v1/devices/{device}): a rejected or revoked one's readings are refused. */
    chainStatus: "pending" | "registered" | "registration_rejected" | "revoked";
    chainReason?: string;
  }[];
  readings: OverviewReading[];
  periods: {
    period: string;
    recordCount: string | null;
    recordsRoot: string | null;
    executedTx: string | null;
    executedAt: string | null;
  }[];
  /** Per minute and device, for the hour's busiest devices only. */
  perMinute: { minute: number; device: string; count: number }[];
  perMinuteTotal: { minute: number; count: number }[];
  nowMinute: number;
  links: { docs: string; metrics: string; graphql?: string };
  /** What GET /healthz says: degraded with the reasons when something downstream does not move. */
  health: { status: "ok" | "degraded"; reasons: { code: string; message: string; since: string }[] };
}
