/** The Ink app over a real engine (in-process) and over a canned daemon on a real socket (pool panel). */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { render } from "ink-testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { DaemonClient } from "../../src/client/daemon-client.js";
import { createFirebreak } from "../../src/firebreak.js";
import { App } from "../../src/tui/app.js";
import { DaemonBackend } from "../../src/tui/daemon-backend.js";
import { HISTORY_FILE } from "../../src/tui/history.js";
import { LocalBackend } from "../../src/tui/local-backend.js";
import { NO_POOL_TEXT } from "../../src/tui/pool.js";
import { Session } from "../../src/tui/session.js";
import { definition, isolatedEnv, tempDir, writeTree } from "../helpers/tmp.js";
import { CANNED_POOL } from "./canned-pool.js";

const KEY = { tab: "\t", enter: "\r", ctrlC: "\x03", ctrlD: "\x04", up: "\x1b[A" };
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function localSession(files: Record<string, string> = {}) {
  const home = tempDir("fb-home-");
  const project = tempDir("fb-proj-");
  writeTree(project, files);
  const env = isolatedEnv(home);
  const ctx = await createFirebreak({ cwd: project, env });
  const backend = new LocalBackend(ctx, env, project);
  const session = new Session(backend, { color: false });
  await session.loadCommands();
  return { session, backend, project, home, ctx };
}

function show(session: Session) {
  const ui = render(<App session={session} color={false} />);
  cleanups.push(() => ui.unmount());
  const type = async (...keys: string[]) => {
    for (const k of keys) {
      ui.stdin.write(k);
      await sleep(15);
    }
  };
  const waitFor = async (pattern: RegExp, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = ui.lastFrame() ?? "";
      if (pattern.test(frame)) return frame;
      if (Date.now() > deadline) throw new Error(`never showed ${pattern}; shows:\n${frame}`);
      await sleep(20);
    }
  };
  return { ui, type, waitFor };
}

describe("the terminal UI (in-process engine)", () => {
  it("hel + Tab completes to hello-world; the run shows the plan, streams the output, ends with exit and placement", async () => {
    const { session } = await localSession();
    const { type, waitFor } = show(session);
    await type("hel");
    expect(await waitFor(/hello-world \(alias hello\)\s+Simple hello world/)).toContain("› hel");
    await type(KEY.tab);
    await waitFor(/› hello-world *\n\s+--name/);
    await type("--name Ada", KEY.enter);
    const frame = await waitFor(/✓ exit 0 · \d+ ms · host/);
    expect(frame).toContain("hello-world → local (host) · risk low · role developer");
    expect(frame).toContain("$ printf '%s, %s!\\n' hello Ada");
    expect(frame).toContain("hello, Ada!");
    expect(frame).toMatch(/last: hello-world → local low/);
  });

  it("/plan rm -rf ~ shows denied with the segments and runs nothing (nothing audited)", async () => {
    const { session, ctx } = await localSession();
    const { type, waitFor } = show(session);
    await type("/plan rm -rf ~", KEY.enter);
    const frame = await waitFor(/nothing ran/);
    expect(frame).toMatch(/denied · risk critical/);
    expect(frame).toContain('[critical] ["rm","-rf","~"]');
    expect(ctx.audit!.tail(10)).toEqual([]);
  });

  it("a refusal shows its reasons and the role that would allow it", async () => {
    const { session } = await localSession({ ".firebreak/commands/wipe.md": definition("wipe", "permissions: [write]\n", "echo wiping") });
    session.setRole("viewer");
    const { type, waitFor } = show(session);
    await type("wipe", KEY.enter);
    const frame = await waitFor(/⊘ wipe/);
    expect(frame).toMatch(/wipe was refused/);
    expect(frame).toContain("role viewer lacks permission write");
    expect(frame).toMatch(/allowed for roles? .*developer/);
  });

  it("medium risk waits for y/n and n runs nothing; an ask rule's y runs it, its n is audited as declined", async () => {
    const { session, project, ctx } = await localSession({
      // The allow rule lets this medium-risk line run on the host (the local ceiling rises to medium for it).
      "firebreak.toml":
        `[[policy.rules]]\nid = "ask-echo"\naction = "ask"\npattern = "echo *"\nmatch = ["echo hi"]\n\n` +
        `[[policy.rules]]\nid = "rm-victim"\naction = "allow"\npattern = "rm -f victim.txt"\nmatch = ["rm -f victim.txt"]\n`,
      "victim.txt": "keep me\n",
    });
    const { type, waitFor } = show(session);
    await type("!rm -f victim.txt", KEY.enter);
    await waitFor(/Run this shell line \(medium risk, host\)\? \[y\/N\]/);
    await type("n");
    await waitFor(/not run \(declined\)/);
    expect(fs.existsSync(path.join(project, "victim.txt"))).toBe(true);

    await type("!echo ok > out.txt", KEY.enter);
    await waitFor(/\(an ask rule matched, host\)\? \[y\/N\]/);
    await type("n");
    await waitFor(/declined at the confirmation prompt/);
    expect(ctx.audit!.tail(1)[0]).toMatchObject({ kind: "refused" });
    await type("!echo ok > out.txt", KEY.enter);
    await waitFor(/ask rule matched, host\)\? \[y\/N\] *$/m);
    await type("y");
    await waitFor(/✓ exit 0/);
    expect(fs.readFileSync(path.join(project, "out.txt"), "utf8")).toBe("ok\n");
  });

  it("Ctrl-C cancels the running command and keeps the UI; Ctrl-C twice on an empty prompt quits", async () => {
    const { session, ctx } = await localSession();
    const { type, waitFor } = show(session);
    await type("!sleep 30", KEY.enter);
    await waitFor(/… !sleep 30/);
    await sleep(300);
    await type(KEY.ctrlC);
    const frame = await waitFor(/cancelled \(exit 130\)/);
    expect(frame).toMatch(/›\s*$/m);
    expect(ctx.audit!.tail(1)[0]).toMatchObject({ kind: "cancelled" });
    await type(KEY.ctrlC);
    await waitFor(/press Ctrl-C again/);
    expect(session.state().quit).toBe(false);
    await type(KEY.ctrlC);
    expect(session.state().quit).toBe(true);
  });

  it("↑ brings back earlier lines, across sessions, with secret values redacted", async () => {
    const files = { ".firebreak/commands/login.md": definition("login", "parameters:\n  - name: token\n    secret: true\n", "echo logged in") };
    const first = await localSession(files);
    const { type, waitFor } = show(first.session);
    await type("login --token hunter2-x", KEY.enter);
    await waitFor(/✓ exit 0/);
    const stored = fs.readFileSync(path.join(first.backend.stateDir, HISTORY_FILE), "utf8");
    expect(stored).toContain("login --token [redacted]");
    expect(stored).not.toContain("hunter2-x");
    const again = new Session(first.backend, { color: false });
    const second = show(again);
    await second.type(KEY.up);
    await second.waitFor(/› login --token \[redacted\]/);
  });

  it("/help lists the slash commands; an unknown one gets did-you-mean", async () => {
    const { session } = await localSession();
    const { type, waitFor } = show(session);
    await type("/help", KEY.enter);
    await waitFor(/\/commands search <query>/);
    await type("/rol", KEY.enter);
    await waitFor(/unknown command \/rol; did you mean \/role/);
  });

  it("/commands init scaffolds a definition in the project's .firebreak/commands/, never over a file", async () => {
    const { session, project } = await localSession();
    const { type, waitFor } = show(session);
    await type("/commands init greet", KEY.enter);
    await waitFor(/wrote .*greet\.md/);
    const file = path.join(project, ".firebreak/commands/greet.md");
    expect(fs.readFileSync(file, "utf8")).toMatch(/^---\nname: greet\n/);
    await type("/commands init greet", KEY.enter);
    await waitFor(/exists already; not overwritten/);
  });
});

/** A stand-in daemon on a real Unix socket, answering with canned JSON. */
async function cannedDaemon(routes: Record<string, { status: number; body: unknown }>) {
  const socket = path.join(tempDir("fb-sock-"), "d.sock");
  const server = http.createServer((req, res) => {
    const route = routes[(req.url ?? "").split("?")[0]!] ?? { status: 404, body: { error: { code: "not_found", message: "no such route", exit_code: 1 } } };
    res.writeHead(route.status, { "content-type": "application/json" }).end(JSON.stringify(route.body));
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return socket;
}

describe("the terminal UI through a daemon: the VM pool", () => {
  const base = { "/healthz": { status: 200, body: { status: "ok" } }, "/v1/commands": { status: 200, body: { commands: [], problems: { notices: [], warnings: [], errors: [], conflicts: [], shadowed: [], untrusted: [] } } } };

  it("the status line shows ready counts per VM type; /pool shows the panel with latency and alerts", async () => {
    const socket = await cannedDaemon({ ...base, "/v1/pool": { status: 200, body: CANNED_POOL } });
    const { backend: local } = await localSession();
    const backend = new DaemonBackend(new DaemonClient(socket), local, {});
    const session = new Session(backend, { color: false });
    session.setPool(await backend.pool());
    const { type, waitFor } = show(session);
    expect(await waitFor(/daemon ✓ · pool: default 2\/2 · big 0\/1 · 1 alert/)).toBeTruthy();
    await type("/pool", KEY.enter);
    const frame = await waitFor(/live · Esc closes/);
    expect(frame).toMatch(/default\s+2\s+0\s+0\s+0\s+2\s+8\s+1\.2\/3\.1 ms/);
    expect(frame).toContain("alert allocation_p95: firing");
  });

  it("a daemon without the pool endpoint (404): `pool: -`, and /pool says where the pool lives", async () => {
    const socket = await cannedDaemon(base);
    const { backend: local } = await localSession();
    const backend = new DaemonBackend(new DaemonClient(socket), local, {});
    expect(await backend.pool()).toBeUndefined();
    const session = new Session(backend, { color: false });
    const { type, waitFor } = show(session);
    await waitFor(/daemon ✓ · pool: -/);
    await type("/pool", KEY.enter);
    await waitFor(new RegExp(NO_POOL_TEXT.slice(0, 40).replace(/[()`]/g, ".")));
  });
});
