/**
 * `POST /v1/cli`: a whole CLI call rendered in the daemon, for the native launcher (launcher/firebreak.c). The
 * launcher sends its argv, working directory, environment and which of its streams are terminals; the daemon
 * runs the lean client's own code for it (client/commands.ts, its requests answered by this app without a second
 * connection) and streams back what that prints and the exit status, as frames (api/cli-frames.ts). So a relayed
 * call prints byte for byte what the Node client prints, from one implementation, and costs the caller no Node start.
 *
 * Not relayed (one `f` frame; nothing ran; the launcher starts the Node CLI): anything the lean client does not
 * handle, a `run`/`sh` on a terminal (it may ask a question there), and a call that reads stdin it was not sent.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { CLI_FRAMES, encodeFrame, exitFrame } from "../../api/cli-frames.js";
import { writerOutput } from "../../cli/output.js";
import { parseClientArgv } from "../../client/argv.js";
import { type ClientContext, runThroughDaemon } from "../../client/commands.js";
import { DaemonClient } from "../../client/daemon-client.js";
import { reportClientError } from "../../client/main.js";
import type { SocketHttpRequest, SocketHttpResponse } from "../../client/socket-http.js";
import { ERROR_RESPONSES } from "./responses.js";

const CliRequestSchema = z
  .object({
    argv: z.array(z.string()).max(65_536).openapi({ description: "The arguments after `firebreak`.", example: ["policy", "check", "--", "git status"] }),
    cwd: z
      .string()
      .min(1)
      .refine((p) => p.startsWith("/"), { message: "must be an absolute path" })
      .openapi({ description: "The caller's working directory." }),
    env: z.record(z.string(), z.string()).openapi({ description: "The caller's environment (a run's command sees only `[exec] env_allowlist` of it; NO_COLOR is honoured)." }),
    tty: z.object({ stdin: z.boolean(), stdout: z.boolean(), stderr: z.boolean() }).strict().openapi({ description: "Which of the caller's streams are terminals." }),
    stdin_base64: z.string().optional().openapi({ description: "The caller's whole stdin, for a call that reads it (`claude hook`)." }),
    socket: z.string().optional().openapi({ description: "The socket the caller connected to, named in its error messages." }),
  })
  .strict()
  .openapi("CliRequest");

const cliRoute = createRoute({
  method: "post",
  path: "/v1/cli",
  summary: "Run one CLI call in the daemon (the native launcher's relay)",
  description:
    "The answer is `application/vnd.firebreak.cli-frames`: frames of one type byte, a 4-byte big-endian length and the payload: `r` accepted, `o`/`e` stdout/stderr bytes, `x` the exit status (4-byte signed), or a lone `f` (not relayed, nothing ran: run the Node CLI). Relayed: `run`, `sh`, `claude hook`, `policy check`, `commands list|show`, `audit tail|verify`. A client that disconnects cancels its run.",
  request: { body: { content: { "application/json": { schema: CliRequestSchema } }, required: true } },
  responses: {
    200: { description: "The call's frames", content: { [CLI_FRAMES]: { schema: z.string().openapi({ description: "frames" }) } } },
    ...ERROR_RESPONSES,
  },
});

/** `POST /v1/cli`. `app` answers the call's own requests in-process. */
export function registerCliRoute(app: OpenAPIHono): void {
  app.openapi(cliRoute, (c) => {
    const body = c.req.valid("json");
    const headers = { "content-type": CLI_FRAMES, "cache-control": "no-store" };
    const cmd = body.env.FIREBREAK_DAEMON === "off" || body.argv.includes("--no-daemon") ? undefined : parseClientArgv(body.argv);
    const isTTY = body.tty.stdin && body.tty.stderr;
    const readsStdin = cmd?.kind === "claude-hook" || (cmd?.kind === "policy-check" && cmd.stdin);
    const why = !cmd
      ? "not a call the daemon serves"
      : (cmd.kind === "run" || cmd.kind === "sh") && isTTY
        ? "a run on a terminal may ask there"
        : readsStdin && body.stdin_base64 === undefined
          ? "it reads stdin, which was not sent"
          : undefined;
    if (!cmd || why) return c.body(new Uint8Array(encodeFrame("f", why)), 200, headers);
    const stdin = Buffer.from(body.stdin_base64 ?? "", "base64").toString("utf8");
    const authorization = c.req.header("authorization");
    const signal = c.req.raw.signal;
    const socket = body.socket ?? "the daemon's socket";
    let closed = false;
    const readable = new ReadableStream<Uint8Array>({
      start(controller) {
        const send = (frame: Buffer) => {
          if (!closed) controller.enqueue(new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength));
        };
        send(encodeFrame("r"));
        const write = { stdout: (chunk: Buffer | string) => send(encodeFrame("o", chunk)), stderr: (chunk: Buffer | string) => send(encodeFrame("e", chunk)) };
        const output = writerOutput({ ...write, color: !body.env.NO_COLOR && body.tty.stderr });
        const context: ClientContext = {
          client: new DaemonClient(socket, (req) => answerInProcess(app, req, authorization)),
          output,
          cwd: body.cwd,
          env: body.env,
          isTTY,
          stderrIsTTY: body.tty.stderr,
          write,
          stdinText: async () => stdin,
          stdinLines: async function* () {
            yield* stdin.split(/\r?\n/).slice(0, stdin.endsWith("\n") ? -1 : undefined);
          },
          signal,
        };
        void runThroughDaemon(cmd, context)
          .catch((error: unknown) => reportClientError(error, { argv: body.argv, output, socket }))
          .then((status) => {
            send(exitFrame(status));
            if (closed) return;
            closed = true;
            controller.close();
          });
      },
      cancel() {
        // The launcher went away: the request's signal aborts, which cancels a run in flight.
        closed = true;
      },
    });
    return c.body(readable, 200, headers);
  });
}

/** One of the relayed call's requests, answered by the app itself (the same routes, middleware and metrics). */
async function answerInProcess(app: OpenAPIHono, req: SocketHttpRequest, authorization: string | undefined): Promise<SocketHttpResponse> {
  const headers = new Headers(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
  if (authorization) headers.set("authorization", authorization);
  const res = await app.fetch(new Request(`http://firebreak${req.path}`, { method: req.method, headers, body: req.body, signal: req.signal }));
  return { status: res.status, headers: new Map(res.headers), body: bytesOf(res.body) };
}

async function* bytesOf(body: ReadableStream<Uint8Array> | null): AsyncIterable<Buffer> {
  if (!body) return;
  for await (const chunk of body) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
