import type { Socket } from "node:net";
import { Duplex } from "node:stream";
import { AgentClient } from "./client.js";
import type { AgentHello } from "./protocol.js";

export interface HandshakeResult {
  hello: AgentHello;
}

/**
 * Proves the guest agent answers on `socket` (a `hello` round trip; after a restore also
 * `settime` and `reseed`, since clones share the snapshot's clock and RNG state), then
 * hands the socket back untouched: no listener stays attached and no byte is lost, so the
 * caller can put its own AgentClient on it.
 *
 * A temporary Duplex carries the handshake: the socket is read in paused mode ('readable'
 * + read()) and removing that listener returns it to its initial state.
 *
 * @example
 * const { hello } = await agentHandshake(socket, { restored: true, timeoutMs: 5000 });
 */
export async function agentHandshake(socket: Socket, opts: { restored: boolean; timeoutMs: number }): Promise<HandshakeResult> {
  const proxy = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback);
    },
  });
  const onReadable = () => {
    for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) proxy.push(chunk);
  };
  const onEnd = () => proxy.push(null);
  socket.on("readable", onReadable);
  socket.on("end", onEnd);
  // virtio-serial may hand a new host the tail of bytes written for an earlier one: skip to the first hello,
  // and have the agent drop whatever an earlier host left running (hello reset).
  const client = new AgentClient(proxy, { requestTimeoutMs: opts.timeoutMs, syncOnHello: true });
  try {
    // Pipelined: after a restore every new guest code path costs TCG a translation, and
    // three requests in flight overlap those costs instead of adding round trips.
    const [hello] = await Promise.all([client.hello({ reset: true }), ...(opts.restored ? [client.setTime(Date.now()), client.reseed()] : [])]);
    return { hello };
  } finally {
    socket.off("readable", onReadable);
    socket.off("end", onEnd);
    // Pending frames cannot exist here: every request above was answered.
    proxy.destroy();
  }
}
