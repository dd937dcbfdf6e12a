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
