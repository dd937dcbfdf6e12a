// lcore-device-sdk registrations waiting for the owner (PROTOCOL §12.6): listed from
// GET /v1/devicesdk/pending and approved (with the payload field that is the value, and its
// scale) or rejected through the owner routes. Shown only in the owner view.
import { ownerToken } from "./api.js";

interface Pending {
  device_id: string;
  publicKey: string;
  receivedAt: string;
}

function owner(path: string, body?: object): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${ownerToken()}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  return fetch(path, {
    method: body === undefined && !path.endsWith("/reject") ? "GET" : "POST",
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

function cell(...children: (Node | string)[]): HTMLElement {
  const td = document.createElement("td");
  td.append(...children);
  return td;
}

/** The list last drawn: the table is redrawn only when it changes, so a field being typed survives the poll. */
let drawn = "";

/** Redraws the pending table (empty and hidden in the public view). */
export async function renderPending(target: HTMLElement, section: HTMLElement): Promise<void> {
  if (ownerToken() === "") {
    section.hidden = true;
    drawn = "";
    return;
  }
  const res = await owner("/v1/devicesdk/pending");
  if (!res.ok) return;
  const { pending } = (await res.json()) as { pending: Pending[] };
  section.hidden = pending.length === 0;
  const key = pending.map((p) => p.device_id).join("\n");
  if (key === drawn) return;
  drawn = key;
  const rows = pending.map((p) => {
    const field = Object.assign(document.createElement("input"), { placeholder: "value field", value: "" });
    const scale = Object.assign(document.createElement("input"), { type: "number", min: "0", max: "9", value: "0" });
    const out = document.createElement("span");
    const base = `/v1/devicesdk/pending/${encodeURIComponent(p.device_id)}`;
    const approve = Object.assign(document.createElement("button"), { type: "button", textContent: "Approve" });
    approve.addEventListener("click", async () => {
      const r = await owner(`${base}/approve`, { valueField: field.value, scale: Number(scale.value) });
      out.textContent = r.ok ? "registered" : (((await r.json()) as { code?: string }).code ?? `HTTP ${r.status}`);
    });
    const reject = Object.assign(document.createElement("button"), { type: "button", textContent: "Reject" });
    reject.addEventListener("click", async () => {
      const r = await owner(`${base}/reject`);
      out.textContent = r.ok ? "rejected" : `HTTP ${r.status}`;
    });
    const tr = document.createElement("tr");
    tr.append(cell(p.device_id), cell(p.receivedAt.slice(0, 19)), cell(field, scale), cell(approve, reject, out));
    return tr;
  });
  const head = document.createElement("tr");
  for (const h of ["device_id", "received", "value field, scale", ""])
    head.append(Object.assign(document.createElement("th"), { textContent: h }));
  target.replaceChildren(head, ...rows);
}
