// Calls to this gateway. The owner token lives in sessionStorage (gone with the tab) and
// goes only in the Authorization header of same-origin requests.
const KEY = "lcore-owner-token";

export const ownerToken = (): string => sessionStorage.getItem(KEY) ?? "";

export function setOwnerToken(token: string): void {
  if (token === "") sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, token);
}

export function api(path: string): Promise<Response> {
  const token = ownerToken();
  return fetch(path, token === "" ? {} : { headers: { authorization: `Bearer ${token}` } });
}

/** A JSON POST to this gateway, with the owner token when one is set. */
export function apiPost(path: string, body: unknown): Promise<Response> {
  const token = ownerToken();
  return fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token === "" ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
}
