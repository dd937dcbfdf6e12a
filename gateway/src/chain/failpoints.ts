// Failpoints: named places on the submit path where a test can make the process die
// with SIGKILL (no cleanup, no flush), to prove that a restart from whatever the disk
// holds neither loses nor duplicates a record. Armed only by the environment variable
// LCORE_GW_FAILPOINT=<name>[,<name>...] read at startup; otherwise each call is one Set lookup.

export const FAILPOINTS = [
  "batch-created", //    an input and its readings committed, nothing signed
  "tx-signed", //        the signed transaction written ahead, not sent
  "tx-sent", //          the transaction broadcast, its receipt not yet seen
  "receipt-recorded", // the receipt's input index committed, the dApp's verdict not yet read
  "verdict-recorded", // the dApp's verdict committed
] as const;
export type Failpoint = (typeof FAILPOINTS)[number];

const armed = new Set(
  (process.env.LCORE_GW_FAILPOINT ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== ""),
);

export function failpoint(name: Failpoint): void {
  if (armed.has(name)) process.kill(process.pid, "SIGKILL");
}
