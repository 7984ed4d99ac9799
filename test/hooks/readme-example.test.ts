/** The README's example hook, run for real (with a `date` that says it is Friday). */
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hooksConfigSchema } from "../../src/hooks/config.js";
import { createExternalHook } from "../../src/hooks/external.js";
import { createHookPipeline } from "../../src/hooks/pipeline.js";
import { makeCtx, tempDir } from "./helpers.js";

const README = join(import.meta.dirname, "..", "..", "src", "hooks", "README.md");

describe("README example hook", () => {
  let dir: { path: string; cleanup(): Promise<void> };
  let script = "";
  beforeAll(async () => {
    dir = await tempDir();
    const text = await readFile(README, "utf8");
    const m = /A 10-line example hook[^\n]*\n\n```bash\n([\s\S]*?)```/.exec(text);
    script = m?.[1] ?? "";
    await writeFile(join(dir.path, "hook.sh"), script);
    await chmod(join(dir.path, "hook.sh"), 0o755);
    await writeFile(join(dir.path, "date"), "#!/bin/sh\necho 5\n");
    await chmod(join(dir.path, "date"), 0o755);
  });
  afterAll(async () => {
    await dir.cleanup();
  });

  const pipeline = () =>
    createHookPipeline([
      createExternalHook(hooksConfigSchema.parse({ external: [{ name: "no-friday-prod", program: "./hook.sh", env: { PATH: `${dir.path}:${process.env.PATH}` } }] }).external[0]!, dir.path),
    ]);

  it("is ten lines", () => {
    expect(script.trimEnd().split("\n")).toHaveLength(10);
  });

  it("blocks prod on Friday with its reason and lets staging through with env", async () => {
    const blocked = await pipeline().runPre(makeCtx({ parameters: { target: "prod" }, user: "ana" }));
    expect(blocked.blocked).toBe(true);
    expect(blocked.reason).toBe("hook no-friday-prod: no production deploys on Friday (ana)");
    const allowed = await pipeline().runPre(makeCtx({ parameters: { target: "staging" } }));
    expect(allowed.blocked).toBe(false);
    expect(allowed.env).toEqual({ DEPLOY_TARGET: "staging" });
  });
});
