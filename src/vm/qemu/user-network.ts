/**
 * The guest's NIC under QEMU user-mode networking, restricted on the host side. Unrestricted, slirp routes the guest
 * anywhere the host can reach — including the host's own loopback through 10.0.2.2, private ranges, link-local and
 * cloud metadata (169.254.169.254). With `restrict=on` slirp routes nothing off the virtual network; only explicit
 * forwarding rules pass. Each allowed `IPv4:port` endpoint becomes one rule: the guest reaches the i-th entry at
 * `10.0.2.(100+i):port` and QEMU connects to the endpoint from the host. Nothing else is reachable.
 */
import path from "node:path";
import { packageRoot } from "../../paths.js";
import { VmError } from "../../errors.js";

/** Per guest connection, QEMU runs this relay (node) to the one allowed endpoint; see guest/relay/tcp-relay.mjs. */
function relayCommand(endpoint: string): string {
  const [host, port] = endpoint.split(":") as [string, string];
  // QEMU option values escape a comma by doubling it.
  return [process.execPath, path.join(packageRoot(), "guest/relay/tcp-relay.mjs"), host, port].join(" ").replaceAll(",", ",,");
}

/** `1.2.3.4:80`: literal IPv4 and port only; a host name would be resolved by the host, to anything. */
export const ALLOWED_ENDPOINT_RE = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}:([1-9]\d{0,4})$/;
const FIRST_GUEST_HOST = 100;
const MAX_ENDPOINTS = 100;

/** Where the guest reaches the i-th allowed endpoint. */
export function guestAddressOf(index: number, endpoint: string): string {
  return `10.0.2.${FIRST_GUEST_HOST + index}:${endpoint.split(":")[1]}`;
}

/**
 * The `-netdev` value for a guest NIC that reaches only `allow`.
 * @example userNetdev(["127.0.0.1:8080"]) // "user,id=net0,restrict=on,guestfwd=tcp:10.0.2.100:8080-tcp:127.0.0.1:8080"
 */
export function userNetdev(allow: readonly string[] = []): string {
  if (allow.length > MAX_ENDPOINTS) throw new VmError(`at most ${MAX_ENDPOINTS} allowed network endpoints, got ${allow.length}`);
  const rules = allow.map((endpoint, i) => {
    const m = ALLOWED_ENDPOINT_RE.exec(endpoint);
    if (!m || Number(m[4]) > 65535) throw new VmError(`allowed network endpoint '${endpoint}' is not IPv4:port`);
    // A `tcp:` chardev is one connection for the VM's life; `cmd:` starts a relay for every guest connection.
    return `guestfwd=tcp:${guestAddressOf(i, endpoint)}-cmd:${relayCommand(endpoint)}`;
  });
  return ["user", "id=net0", "restrict=on", ...rules].join(",");
}
