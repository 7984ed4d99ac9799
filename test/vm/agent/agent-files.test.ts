import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { AgentRemoteError } from "../../../src/errors.js";
import { useSharedAgent } from "./agent-process.js";

const execFileAsync = promisify(execFile);

const shared = useSharedAgent();

describe("agent file transfer (real agent binary on the host)", () => {
  it("puts and gets a file byte-exact, NULs included, creating parent directories", async () => {
    const data = Buffer.concat([Buffer.from([0, 0, 1, 0]), randomBytes(70_000), Buffer.alloc(100)]);
    const path = join(shared.agent.dir, "deep", "er", "blob.bin");
    await shared.client.putFile(path, data, { mode: 0o640 });
    expect(readFileSync(path).equals(data)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect((await shared.client.getFile(path)).equals(data)).toBe(true);
  });

  it("moves files larger than a frame both ways", async () => {
    const data = randomBytes(9 * 1024 * 1024 + 3);
    const path = join(shared.agent.dir, "large.bin");
    await shared.client.putFile(path, data);
    expect(readFileSync(path).equals(data)).toBe(true);
    expect((await shared.client.getFile(path)).equals(data)).toBe(true);
  });

  it("puts an empty file and replaces an existing one atomically", async () => {
    const path = join(shared.agent.dir, "replace.txt");
    writeFileSync(path, "old contents");
    await shared.client.putFile(path, "");
    expect(readFileSync(path, "utf8")).toBe("");
    await shared.client.putFile(path, "new");
    expect(readFileSync(path, "utf8")).toBe("new");
  });

  it("reports missing files and bad paths with typed errors", async () => {
    const missing = shared.client.getFile(join(shared.agent.dir, "nope"));
    await expect(missing).rejects.toBeInstanceOf(AgentRemoteError);
    await expect(missing).rejects.toMatchObject({ agentCode: "not_found" });
    await expect(shared.client.getFile(shared.agent.dir)).rejects.toMatchObject({ agentCode: "bad_request" });
    await expect(shared.client.putFile("relative/path", "x")).rejects.toMatchObject({ agentCode: "bad_request" });
  });

  it("extracts a tar archive into a directory and archives a directory", async () => {
    const src = join(shared.agent.dir, "tar-src");
    mkdirSync(join(src, "sub"), { recursive: true });
    const binary = randomBytes(200_000);
    writeFileSync(join(src, "a.txt"), "alpha\n");
    writeFileSync(join(src, "sub", "b.bin"), binary);
    const { stdout: tar } = await execFileAsync("tar", ["-c", "-f", "-", "-C", src, "."], {
      encoding: "buffer",
      maxBuffer: 64 * 1024 * 1024,
    });

    const dest = join(shared.agent.dir, "tar-dest", "new");
    await shared.client.putTar(dest, tar);
    expect(readFileSync(join(dest, "a.txt"), "utf8")).toBe("alpha\n");
    expect(readFileSync(join(dest, "sub", "b.bin")).equals(binary)).toBe(true);

    const archive = await shared.client.getTar(dest);
    const back = join(shared.agent.dir, "tar-back");
    mkdirSync(back);
    const archivePath = join(shared.agent.dir, "back.tar");
    writeFileSync(archivePath, archive);
    await execFileAsync("tar", ["-x", "-f", archivePath, "-C", back]);
    expect(readFileSync(join(back, "a.txt"), "utf8")).toBe("alpha\n");
    expect(readFileSync(join(back, "sub", "b.bin")).equals(binary)).toBe(true);
  });

  it("moves a tar larger than a frame", async () => {
    const src = join(shared.agent.dir, "big-src");
    mkdirSync(src);
    const blob = randomBytes(6 * 1024 * 1024);
    writeFileSync(join(src, "blob"), blob);
    const { stdout: tar } = await execFileAsync("tar", ["-c", "-f", "-", "-C", src, "."], {
      encoding: "buffer",
      maxBuffer: 64 * 1024 * 1024,
    });
    const dest = join(shared.agent.dir, "big-dest");
    await shared.client.putTar(dest, tar);
    expect(readFileSync(join(dest, "blob")).equals(blob)).toBe(true);
    const archive = await shared.client.getTar(dest);
    expect(archive.length).toBeGreaterThan(blob.length);
  });

  it("reports a broken archive and a missing directory as tar_failed", async () => {
    await expect(shared.client.putTar(join(shared.agent.dir, "junk"), Buffer.from("this is not a tar archive"))).rejects.toMatchObject(
      { agentCode: "tar_failed" },
    );
    await expect(shared.client.getTar(join(shared.agent.dir, "no-such-dir"))).rejects.toMatchObject({ agentCode: "tar_failed" });
  });

  it("syncs and reseeds; refuses settime when disabled", async () => {
    await shared.client.sync();
    expect(typeof (await shared.client.reseed(randomBytes(32)))).toBe("boolean");
    await expect(shared.client.setTime(Date.now())).rejects.toMatchObject({ agentCode: "disabled" });
    await expect(shared.client.reseed(Buffer.alloc(0))).rejects.toBeInstanceOf(RangeError);
  });
});
