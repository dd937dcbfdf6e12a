// /metrics of a fleet: every shard's own metrics with a `shard` label, each family once (its
// HELP and TYPE, then the samples of every shard), as Prometheus requires; plus the fleet's own
// per-shard figures (fleetStatus.ts).

import type { GatewayContext } from "../context.js";
import type { ShardStatus } from "./fleetStatus.js";

interface Family {
  head: string[];
  samples: string[];
}

/** Prometheus text exposition of every shard, labelled, families merged in first-seen order. */
export async function fleetMetricsText(
  shards: readonly GatewayContext[],
  status: readonly ShardStatus[],
): Promise<string> {
  const families = new Map<string, Family>();
  for (const [index, shard] of shards.entries()) {
    const registry = shard.metrics.registry;
    // Default labels join every sample of this registry's output (prom-client).
    registry.setDefaultLabels({ shard: String(index) });
    const text = await registry.metrics();
    let current: Family | undefined;
    for (const line of text.split("\n")) {
      if (line === "") continue;
      const head = /^# (HELP|TYPE) (\S+)/.exec(line);
      if (head) {
        const name = head[2]!;
        current = families.get(name);
        if (current === undefined) {
          current = { head: [], samples: [] };
          families.set(name, current);
        }
        if (index === 0 || current.head.length < 2) current.head.push(line);
        continue;
      }
      current?.samples.push(line);
    }
  }
  const out: string[] = [];
  for (const family of families.values()) out.push(...family.head.slice(0, 2), ...family.samples);
  out.push(...fleetFamilies(status));
  return `${out.join("\n")}\n`;
}

/** The fleet's own gauges: shards, and per shard its devices, queue depth and last accepted claim. */
function fleetFamilies(status: readonly ShardStatus[]): string[] {
  const lines = [
    "# HELP lcore_gw_fleet_shards Shards (applications) this gateway serves",
    "# TYPE lcore_gw_fleet_shards gauge",
    `lcore_gw_fleet_shards ${status.length}`,
  ];
  const gauge = (name: string, help: string, value: (s: ShardStatus) => number | null) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const s of status) {
      const v = value(s);
      if (v !== null) lines.push(`${name}{shard="${s.shard}",application="${s.application}"} ${v}`);
    }
  };
  gauge("lcore_gw_fleet_shard_devices", "Devices registered in the shard", (s) => s.devices);
  gauge("lcore_gw_fleet_shard_queued_readings", "Readings in the shard's outbox not yet in an input", (s) => s.queued);
  gauge("lcore_gw_fleet_shard_readings_accepted", "Readings the shard's dApp accepted", (s) => s.readingsAccepted);
  gauge(
    "lcore_gw_fleet_shard_last_accepted_epoch",
    "Index of the shard's last epoch whose claim the node lists accepted",
    (s) => s.lastAcceptedEpoch,
  );
  return lines;
}
