import { execFile } from "node:child_process";
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { packWorkspace } from "../../../src/vm/workspace-tar.js";
import { useSharedAgent } from "./agent-process.js";

const execFileAsync = promisify(execFile);
const shared = useSharedAgent();

/** One ustar header block (what a hostile or broken archive could hold), checksum included. */
function header(name: string, type: string, size = 0, linkname = ""): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100);
  h.write("0000644\0", 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
  h.write("00000000000\0", 136);
  h.write(type, 156);
  h.write(linkname, 157, 100);
  h.write("ustar\0", 257);
  h.write("00", 263);
  h.fill(" ", 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return h;
}

function archive(...blocks: Buffer[]): Buffer {
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

describe("agent tar_put: the agent unpacks GNU tar itself (real agent binary on the host)", () => {
  it("keeps contents, modes, mtimes, symlinks, hard links, FIFOs, long names and read-only directories", async () => {
    const src = join(shared.agent.dir, "untar-src");
    const longDir = join(src, "d".repeat(60), "e".repeat(60));
    mkdirSync(longDir, { recursive: true });
    mkdirSync(join(src, "ro"));
    writeFileSync(join(src, "run.sh"), "#!/bin/sh\necho hi\n");
    chmodSync(join(src, "run.sh"), 0o755);
    writeFileSync(join(src, "secret"), "s");
    chmodSync(join(src, "secret"), 0o600);
    writeFileSync(join(longDir, "f".repeat(90)), "deep\n");
    writeFileSync(join(src, "ro", "inside"), "in a read-only dir\n");
    chmodSync(join(src, "ro"), 0o555);
    symlinkSync("run.sh", join(src, "rel-link"));
    symlinkSync("/etc/hostname", join(src, "abs-link"));
    symlinkSync(`${"x/".repeat(70)}target`, join(src, "long-link"));
    linkSync(join(src, "secret"), join(src, "hard"));
    await execFileAsync("mkfifo", [join(src, "pipe")]);
    utimesSync(join(src, "run.sh"), 1_000_000, 1_000_000);
    utimesSync(join(src, "ro"), 2_000_000, 2_000_000);

    const dest = join(shared.agent.dir, "untar-dest");
    const listing = await shared.client.putTarListed(dest, await packWorkspace(src, [], 1 << 20));
    expect(readFileSync(join(dest, "run.sh"), "utf8")).toBe("#!/bin/sh\necho hi\n");
    expect(statSync(join(dest, "run.sh")).mode & 0o7777).toBe(0o755);
    expect(statSync(join(dest, "run.sh")).mtimeMs).toBe(1_000_000_000);
    expect(statSync(join(dest, "secret")).mode & 0o7777).toBe(0o600);
    expect(readFileSync(join(dest, "d".repeat(60), "e".repeat(60), "f".repeat(90)), "utf8")).toBe("deep\n");
    expect(readFileSync(join(dest, "ro", "inside"), "utf8")).toBe("in a read-only dir\n");
    expect(statSync(join(dest, "ro")).mode & 0o7777).toBe(0o555);
    expect(statSync(join(dest, "ro")).mtimeMs).toBe(2_000_000_000);
    expect(readlinkSync(join(dest, "rel-link"))).toBe("run.sh");
    expect(readlinkSync(join(dest, "abs-link"))).toBe("/etc/hostname");
    expect(readlinkSync(join(dest, "long-link"))).toBe(`${"x/".repeat(70)}target`);
    expect(statSync(join(dest, "hard")).ino).toBe(statSync(join(dest, "secret")).ino);
    expect(lstatSync(join(dest, "pipe")).isFIFO()).toBe(true);

    // The listing in the same reply is the walk of the directory right after the extraction.
    expect(listing.map((e) => e.path).sort()).toEqual((await shared.client.walk(dest)).map((e) => e.path).sort());
    const byPath = new Map(listing.map((e) => [e.path, e]));
    expect(byPath.get("run.sh")).toMatchObject({ type: "file", mode: 0o755, size: 18 });
    expect(byPath.get("rel-link")).toMatchObject({ type: "symlink", target: "run.sh" });
    expect(byPath.get("pipe")?.type).toBe("other");
  });

  it("replaces what is already there, as tar does", async () => {
    const dest = join(shared.agent.dir, "untar-replace");
    mkdirSync(dest);
    symlinkSync("/etc/passwd", join(dest, "f"));
    const body = Buffer.alloc(512);
    body.write("new\n");
    await shared.client.putTar(dest, archive(header("f", "0", 4), body));
    expect(lstatSync(join(dest, "f")).isFile()).toBe(true);
    expect(readFileSync(join(dest, "f"), "utf8")).toBe("new\n");
  });

  it("refuses members that lead out of the directory, absolute names, unknown types and truncated archives", async () => {
    const dest = join(shared.agent.dir, "untar-evil", "in");
    const body = Buffer.alloc(512);
    body.write("x");
    await expect(shared.client.putTar(dest, archive(header("../escaped", "0", 1), body))).rejects.toMatchObject({ agentCode: "tar_failed", message: /leads out/ });
    expect(existsSync(join(shared.agent.dir, "untar-evil", "escaped"))).toBe(false);
    await expect(shared.client.putTar(dest, archive(header("a/../../escaped2", "5")))).rejects.toMatchObject({ agentCode: "tar_failed" });
    expect(existsSync(join(shared.agent.dir, "untar-evil", "escaped2"))).toBe(false);
    await expect(shared.client.putTar(dest, archive(header("/abs", "0", 1), body))).rejects.toMatchObject({ agentCode: "tar_failed", message: /absolute/ });
    await expect(shared.client.putTar(dest, archive(header("ok", "1", 0, "../outside")))).rejects.toMatchObject({ agentCode: "tar_failed", message: /leads out/ });
    await expect(shared.client.putTar(dest, archive(header("pax", "x", 0)))).rejects.toMatchObject({ agentCode: "tar_failed", message: /unsupported/ });
    await expect(shared.client.putTar(dest, header("cut", "0", 5000))).rejects.toMatchObject({ agentCode: "tar_failed", message: /middle/ });
    const corrupt = header("bad", "0");
    corrupt[0] = (corrupt[0] ?? 0) ^ 1;
    await expect(shared.client.putTar(dest, archive(corrupt))).rejects.toMatchObject({ agentCode: "tar_failed", message: /checksum/ });
    // The agent still serves the connection afterwards.
    expect(await shared.client.ping()).toBeGreaterThanOrEqual(0);
  });
});
