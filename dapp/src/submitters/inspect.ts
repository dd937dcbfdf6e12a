// Inspect `submitters/<owner>` (PROTOCOL §4.3, §3.6): the accounts the owner allows, by address.

import { toHex } from "@lcore/protocol/bytes";
import type { SubmittersInfo } from "@lcore/protocol/inspect";
import type { Store } from "../state/store.js";
import { submittersOf } from "./store.js";

export function answerSubmitters(store: Store, owner: Uint8Array): SubmittersInfo {
  return {
    owner: toHex(owner),
    submitters: submittersOf(store, owner).map((r) => ({
      submitter: toHex(r.submitter),
      grantedInput: r.grantedInput.toString(),
    })),
  };
}
