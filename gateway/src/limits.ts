// Every size, count and rate the gateway bounds, with its default. gateway/README.md
// documents the same table. Defaults are sized for one gateway on a 2-core machine.

export interface GatewayLimits {
  /** Largest JSON body of POST /v1/readings, /v1/devices and the MVP routes (bytes). */
  bodyBytes: number;
  /** Largest JSON body of POST /v1/readings/batch (bytes). */
  batchBodyBytes: number;
  /** Most readings in one POST /v1/readings/batch. */
  batchReadings: number;
  /** Largest device metadata (UTF-8 bytes). */
  metadataBytes: number;
  /** Largest MVP `data` value (UTF-8 bytes of its JSON text); it becomes the reading's payload. */
  mvpDataBytes: number;
  /**
   * MVP registrations per second, all clients together: each costs the gateway's account
   * gas, and the MVP route is unauthenticated.
   */
  mvpRegisterPerSecond: number;
  /** MVP registrations allowed at once before mvpRegisterPerSecond applies. */
  mvpRegisterBurst: number;
  /** Sustained readings per second per device (token bucket refill). */
  deviceRatePerSecond: number;
  /** Readings a device may send at once before the rate applies (token bucket size). */
  deviceRateBurst: number;
  /** How far a reading's timestamp may be ahead of the gateway's clock (seconds). */
  futureSkewSeconds: number;
  /** Readings accepted but not yet put into an input; beyond it the gateway answers 503. */
  outboxQueuedReadings: number;
  /** Devices this gateway holds (each costs memory for its key and last seq). */
  devices: number;
  /** Longest a reading waits for its group commit to start (ms). */
  groupCommitDelayMs: number;
  /** Most readings in one outbox transaction (one fsync). */
  groupCommitReadings: number;
  /** Most records returned by one GET /v1/devices/{device}/records. */
  recordsPage: number;
  /**
   * Readings the mirror may have unsent to the legacy node (dual mode); beyond it the
   * oldest are skipped (counted), never the Cartesi path slowed.
   */
  mirrorPendingReadings: number;
  /** Most MVP rows in one POST /v1/migration/readings (its body bound follows: 3.5 KiB a row). */
  migrationRows: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  bodyBytes: 8 * 1024,
  batchBodyBytes: 1024 * 1024,
  batchReadings: 256,
  metadataBytes: 256,
  mvpDataBytes: 1024,
  mvpRegisterPerSecond: 1,
  mvpRegisterBurst: 60,
  deviceRatePerSecond: 50,
  deviceRateBurst: 300,
  futureSkewSeconds: 300,
  outboxQueuedReadings: 1_000_000,
  devices: 100_000,
  groupCommitDelayMs: 0,
  groupCommitReadings: 2_000,
  recordsPage: 100,
  mirrorPendingReadings: 100_000,
  migrationRows: 500,
};
