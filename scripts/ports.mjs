// Before `npm start` spawns anything: are the ports it needs free? A port in use is nearly
// always an earlier `npm start` still running, so the error says that, and names the port
// and what lcore wanted it for (anvil's own "Address already in use" names neither).
import { createServer } from "node:net";

/** Resolves true when 127.0.0.1:port can be bound right now. */
function isFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * `ports`: { purpose: port }. Port 0 (a free port chosen later) is never checked. Throws one
 * error naming every busy port.
 */
export async function assertPortsFree(ports) {
  const busy = [];
  for (const [purpose, port] of Object.entries(ports)) {
    if (port !== 0 && !(await isFree(port))) busy.push(`${port} (${purpose})`);
  }
  if (busy.length === 0) return;
  throw new Error(
    `port${busy.length > 1 ? "s" : ""} ${busy.join(", ")} already in use. ` +
      "Is lcore already running (another `npm start` in some terminal)? Stop it with Ctrl-C there, " +
      "or free the port, or start on other ports: npm start -- --anvil-port N --rollup-port N --api-port N --gateway-port N",
  );
}
