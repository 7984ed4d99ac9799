/**
 * Cache files that feed decisions (parsed definitions, built knowledge graphs) live in the state directory, which a
 * local user may be able to write without being able to change firebreak's configuration. Such a user must not be
 * able to plant a definition (what runs on the host) or a synonym (what a role may do) through a cache. So each cache
 * file is sealed: an HMAC-SHA256 over its text, with a random key kept in the configuration directory (0600), which
 * is as protected as the trust list. A file whose seal does not verify is not read.
 *
 * Format: the seal in hex, a newline, then the text.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const KEY_BYTES = 32;

/** Where the key lives: `<config dir>/cache.key`. */
export function sealKeyFile(configDir: string): string {
  return path.join(configDir, "cache.key");
}

function readKey(keyFile: string): Buffer | undefined {
  try {
    const key = Buffer.from(fs.readFileSync(keyFile, "utf8").trim(), "hex");
    return key.length === KEY_BYTES ? key : undefined;
  } catch {
    return undefined;
  }
}

function keyForWriting(keyFile: string): Buffer | undefined {
  const existing = readKey(keyFile);
  if (existing) return existing;
  try {
    fs.mkdirSync(path.dirname(keyFile), { recursive: true, mode: 0o700 });
    fs.writeFileSync(keyFile, `${randomBytes(KEY_BYTES).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  } catch {
    // another process made it first (read it below), or the directory is not writable (no cache)
  }
  return readKey(keyFile);
}

const seal = (key: Buffer, text: string) => createHmac("sha256", key).update(text).digest();

/**
 * The text of a sealed file, or undefined when it is missing, unreadable, or its seal does not verify.
 * @example const text = readSealed(path.join(stateDir, "cache", "definitions.json"), sealKeyFile(configDir));
 */
export function readSealed(file: string, keyFile: string): string | undefined {
  const key = readKey(keyFile);
  if (!key) return undefined;
  let content: string;
  try {
    content = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const nl = content.indexOf("\n");
  if (nl !== KEY_BYTES * 2) return undefined;
  const stored = Buffer.from(content.slice(0, nl), "hex");
  const text = content.slice(nl + 1);
  const expected = seal(key, text);
  return stored.length === expected.length && timingSafeEqual(stored, expected) ? text : undefined;
}

/**
 * Writes `text` sealed (temporary file and rename: a reader sees the old file or the new one). Returns false when it
 * could not (no key could be made, or the directory is not writable): a cache that is not written only costs time.
 */
export function writeSealed(file: string, keyFile: string, text: string): boolean {
  const key = keyForWriting(keyFile);
  if (!key) return false;
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(tmp, `${seal(key, text).toString("hex")}\n${text}`, { mode: 0o600 });
    fs.renameSync(tmp, file);
    return true;
  } catch {
    fs.rmSync(tmp, { force: true });
    return false;
  }
}
