// One guest connection of an allowed endpoint: QEMU's user-mode `guestfwd=…-cmd:` starts this per connection with
// the guest's stream on stdin/stdout; it connects to the one endpoint it was given and copies bytes both ways.
import net from "node:net";

const [host, port] = process.argv.slice(2);
const socket = net.connect({ host, port: Number(port) });
process.stdin.pipe(socket);
socket.pipe(process.stdout);
socket.on("error", () => process.exit(1));
socket.on("close", () => process.exit(0));
process.stdin.on("end", () => socket.end());
