// @lcore/cli: lcore's commands (lcore replay, decode and migrate; lcore-devnet; lcore-migrate)
// and, for programs and tests, what they run.

export { lcoreReplay, type LcoreReplayReport } from "./replay/lcoreReplay.js";
export {
  fleetReplay,
  fleetShards,
  type FleetReplayOptions,
  type ShardReplayReport,
} from "./replay/fleetReplay.js";
export {
  lcoreReplayChecks,
  checkNotices,
  stateHashFromInspect,
  STATE_HASH_QUERY,
  type NoticeCheck,
} from "./replay/lcoreChecks.js";
export { migrate, type MigrateOptions, type MigrateProgress } from "./migrate/run.js";
export { type MigrationReport, formatReport as formatMigrationReport, reconciled } from "./migrate/report.js";
