import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { freshCliProject, runCli } from "../helpers/cli.js";
import { writeTree } from "../helpers/tmp.js";

let env: NodeJS.ProcessEnv;
let project: string;
const cli = (...args: string[]) => runCli(args, { cwd: project, env });

beforeEach(() => {
  ({ project, env } = freshCliProject());
});

describe("hooks through firebreak run", () => {
  it("an external hook that exits 2 blocks the run with its reason, recorded in the audit log", async () => {
    writeTree(project, {
      "firebreak.toml": '[vm]\nbackend = "none"\n[[hooks.external]]\nname = "gate"\nprogram = "./gate.sh"\nmatcher = "hello-world"\nphases = ["pre"]\n',
      "gate.sh": "#!/bin/sh\ncat >/dev/null\necho 'hello-world is frozen today' >&2\nexit 2\n",
    });
    fs.chmodSync(path.join(project, "gate.sh"), 0o755);
    const r = await cli("run", "hello-world");
    expect(r.code).toBe(77);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("hello-world is frozen today");
    const [record] = JSON.parse((await cli("audit", "tail", "-n", "1", "--json")).stdout) as { kind: string; reasons: string[]; hooks: { name: string; action: string }[] }[];
    expect(record!.kind).toBe("refused");
    expect(record!.reasons.join(" ")).toContain("hello-world is frozen today");
    expect(record!.hooks).toContainEqual(expect.objectContaining({ name: "gate", action: "block" }));
  });

  it("backs up a workspace file before a command deletes it; backup restore brings back identical bytes", async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 10, 13, 0x80, ...Buffer.from("notes ✓")]);
    writeTree(project, {
      "firebreak.toml": '[vm]\nbackend = "none"\n[policy]\nlocal_risk_ceiling = "medium"\n[roles.developer]\nhooks = "development"\n',
      ".firebreak/commands/remove.md": '---\nname: remove\ndescription: delete one file\nparameters:\n  - name: file\n    required: true\ncommand: "rm -- {{file}}"\n---\n',
    });
    fs.writeFileSync(path.join(project, "notes.bin"), bytes);
    const run = await cli("run", "remove", "notes.bin");
    expect(run.code).toBe(0);
    expect(fs.existsSync(path.join(project, "notes.bin"))).toBe(false);
    const backups = JSON.parse((await cli("backup", "list", "--json")).stdout) as { id: string }[];
    expect(backups).toHaveLength(1);
    const restore = await cli("backup", "restore", backups[0]!.id);
    expect(restore.code).toBe(0);
    expect(fs.readFileSync(path.join(project, "notes.bin")).equals(bytes)).toBe(true);
  });

  it("resource-monitor kills a local command that allocates past max_memory_mb, with a clear reason", async () => {
    writeTree(project, {
      "firebreak.toml": '[vm]\nbackend = "none"\n',
      "alloc.js": "const keep = []; for (let i = 0; i < 40; i++) { keep.push(Buffer.alloc(16 * 1024 * 1024, 1)); }\nsetTimeout(() => console.log('survived'), 5000);\n",
      ".firebreak/commands/hog.md": "---\nname: hog\ndescription: allocates memory\nresource_limits:\n  max_memory_mb: 96\ncommand: node alloc.js\n---\n",
    });
    const r = await cli("run", "hog");
    expect(r.code).toBe(128 + 9);
    expect(r.stdout).not.toContain("survived");
    expect(r.stderr).toMatch(/killed: memory \d+ MiB exceeded max_memory_mb 96/);
  });

  it("the environment hook's variables reach the command, and post-hooks see its exit status and output sizes", async () => {
    writeTree(project, {
      "firebreak.toml":
        '[vm]\nbackend = "none"\n[hooks.environment]\nvars = { GREETING_STYLE = "formal" }\n' +
        '[[hooks.external]]\nname = "recorder"\nprogram = "./record.sh"\nphases = ["post"]\n',
      "record.sh": "#!/bin/sh\ncat > post-event.json\n",
      ".firebreak/commands/show-env.md": "---\nname: show-env\ndescription: print firebreak variables\ncommand: printenv FIREBREAK_USER FIREBREAK_ROLE FIREBREAK_COMMAND GREETING_STYLE; exit 3\n---\n",
    });
    fs.chmodSync(path.join(project, "record.sh"), 0o755);
    const r = await cli("run", "show-env");
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("tester\ndeveloper\nshow-env\nformal\n");
    const event = JSON.parse(fs.readFileSync(path.join(project, "post-event.json"), "utf8")) as { hook_event_name: string; result: Record<string, unknown> };
    expect(event.hook_event_name).toBe("PostCommand");
    expect(event.result).toMatchObject({ exit_code: 3, stdout_bytes: r.stdout.length, stderr_bytes: 0, placement: "local" });
  });

  it("notification delivers to a local webhook; with the server down the command still runs and the failure is recorded", async () => {
    const received: unknown[] = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push(JSON.parse(body));
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const config = (url: string) =>
      `[vm]\nbackend = "none"\n[roles.developer]\nhooks = "production"\n[hooks.notification]\nwebhooks = ["${url}"]\ncommands = ["hello-world"]\nretries = 1\nbackoff_ms = 10\n[hooks.git]\nenabled = false\n`;
    try {
      writeTree(project, { "firebreak.toml": config(`http://127.0.0.1:${port}/hook`) });
      const ok = await cli("run", "hello-world", "Ada");
      expect(ok.stdout).toBe("hello, Ada!\n");
      expect(received).toHaveLength(1);
      expect(JSON.stringify(received[0])).toContain("hello-world");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    // The same port, now closed: the command is not blocked, and the audit record says the delivery failed.
    const down = await cli("run", "hello-world", "Bob");
    expect(down.code).toBe(0);
    expect(down.stdout).toBe("hello, Bob!\n");
    const [record] = JSON.parse((await cli("audit", "tail", "-n", "1", "--json")).stdout) as { hooks: { name: string; message?: string }[] }[];
    const note = record!.hooks.find((h) => h.name === "notification");
    expect(note?.message).toMatch(/failed after 2 attempt\(s\)/);
  });

  it("lists the effective pipeline of a role", async () => {
    writeTree(project, { "firebreak.toml": '[roles.developer]\nhooks = "production"\n' });
    const r = await cli("hooks", "list", "--json");
    const names = (JSON.parse(r.stdout).pipeline as { name: string }[]).map((h) => h.name);
    expect(names).toEqual(expect.arrayContaining(["logging", "preflight", "environment", "backup", "resource-monitor", "notification", "git"]));
  });

  it("shows all seven built-ins for the role, each active or inactive and why", async () => {
    writeTree(project, { "firebreak.toml": '[vm]\nbackend = "none"\n[hooks.environment]\nenabled = false\n' });
    const r = await cli("hooks", "list");
    expect(r.code).toBe(0);
    const section = r.stdout.slice(r.stdout.indexOf("built-in hooks for role developer (preset default):"));
    expect(section.trimEnd().split("\n").slice(1).map((l) => l.trim().split(/\s{2,}/))).toEqual([
      ["logging", "active", "in preset default"],
      ["preflight", "active", "in preset default"],
      ["resource-monitor", "active", "in preset default"],
      ["environment", "inactive", "disabled ([hooks.environment] enabled = false)"],
      ["backup", "inactive", "not in preset default (in: development, production)"],
      ["notification", "inactive", "not in preset default (in: production)"],
      ["git", "inactive", "not in preset default (in: development, production)"],
    ]);
    const json = JSON.parse((await cli("hooks", "list", "--json", "--role", "viewer")).stdout);
    expect(json).toMatchObject({ role: "viewer", preset: "default" });
    expect(json.builtins).toHaveLength(7);
  });
});
