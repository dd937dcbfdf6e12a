// The console's evidence check: drop an evidence bundle (docs/EVIDENCE.md) on the page, or
// pick the file, and the protocol's own verifier (@lcore/protocol/evidenceVerify, what
// `lcore verify` runs) checks it in the browser against the chain JSON-RPC typed beside it.
// The chain is read directly, not through this gateway: the check trusts nothing it said.
import { EvidenceFormatError, readEvidenceBundle } from "@lcore/protocol/evidenceBundle";
import { viemEvidenceChain } from "@lcore/protocol/evidenceChain";
import { evidencePasses, formatEvidenceReport } from "@lcore/protocol/evidenceReport";
import { verifyEvidence } from "@lcore/protocol/evidenceVerify";
import { parseHex } from "@lcore/protocol/bytes";
import { createPublicClient, http } from "viem";

const RPC_KEY = "lcore-evidence-rpc";

export function mountEvidenceCheck(root: HTMLElement): void {
  const rpc = root.querySelector<HTMLInputElement>("#evidence-rpc")!;
  const app = root.querySelector<HTMLInputElement>("#evidence-app")!;
  const file = root.querySelector<HTMLInputElement>("#evidence-file")!;
  const out = root.querySelector<HTMLElement>("#evidence-output")!;
  rpc.value = localStorage.getItem(RPC_KEY) ?? "";

  const show = (verdict: string, text: string) => {
    out.dataset.verdict = verdict;
    out.className = verdict === "verified" ? "ok" : "bad";
    out.textContent = text;
  };
  const check = async (f: File) => {
    if (rpc.value === "") return show("error", "type the chain's JSON-RPC URL first");
    localStorage.setItem(RPC_KEY, rpc.value);
    const application = app.value === "" ? undefined : parseHex(app.value);
    if (application === null || (application !== undefined && application.length !== 20))
      return show("error", "the application is a 20-byte 0x address");
    show("checking", `checking ${f.name} against ${rpc.value}…`);
    try {
      const bundle = readEvidenceBundle(JSON.parse(await f.text()));
      const chain = viemEvidenceChain(createPublicClient({ transport: http(rpc.value) }));
      const report = await verifyEvidence(bundle, chain, application === undefined ? {} : { application });
      show(evidencePasses(report) ? "verified" : "not-verified", formatEvidenceReport(report).join("\n"));
    } catch (e) {
      show("error", e instanceof EvidenceFormatError ? `not an evidence bundle: ${e.message}` : (e as Error).message);
    }
  };
  file.addEventListener("change", () => {
    if (file.files?.[0]) void check(file.files[0]);
  });
  root.addEventListener("dragover", (event) => event.preventDefault());
  root.addEventListener("drop", (event) => {
    event.preventDefault();
    const dropped = event.dataTransfer?.files[0];
    if (dropped) void check(dropped);
  });
}
