import { describe, expect, it } from "vitest";
import { VmCapacityError } from "../../../src/errors.js";
import { Admission } from "../../../src/vm/pool/admission.js";

describe("admission control", () => {
  it("admits up to the capacity at once, then queues FIFO and tells each waiter how many are ahead", async () => {
    const gate = new Admission(2, 10_000);
    const a = await gate.enter();
    const b = await gate.enter();
    const order: string[] = [];
    const positions: Record<string, number[]> = { c: [], d: [] };
    const admitted = (name: string) => (release: () => void) => {
      order.push(name);
      return release;
    };
    const c = gate.enter({ onQueued: (n) => positions.c!.push(n) }).then(admitted("c"));
    const d = gate.enter({ onQueued: (n) => positions.d!.push(n) }).then(admitted("d"));
    expect(gate.inUse).toBe(2);
    expect(gate.queued).toBe(2);
    a();
    const releaseC = await c;
    expect(order).toEqual(["c"]);
    expect(positions).toEqual({ c: [0], d: [1, 0] });
    b();
    releaseC();
    (await d)();
    expect(order).toEqual(["c", "d"]);
    expect(gate.inUse).toBe(0);
  });

  it("a waiter gives up at its timeout with a capacity error that names the settings", async () => {
    const gate = new Admission(1, 30);
    const held = await gate.enter();
    await expect(gate.enter()).rejects.toThrow(VmCapacityError);
    await expect(gate.enter()).rejects.toThrow(/max_concurrent/);
    expect(gate.queued).toBe(0);
    held();
    expect(gate.inUse).toBe(0);
  });

  it("an aborted waiter leaves the queue, and the ones behind it move up", async () => {
    const gate = new Admission(1, 10_000);
    const held = await gate.enter();
    const controller = new AbortController();
    const seen: number[] = [];
    const first = gate.enter({ signal: controller.signal });
    const second = gate.enter({ onQueued: (n) => seen.push(n) });
    controller.abort(new Error("client gone"));
    await expect(first).rejects.toThrow("client gone");
    expect(seen).toEqual([1, 0]);
    held();
    (await second)();
    expect(gate.inUse).toBe(0);
  });

  it("a release is counted once, however often it is called", async () => {
    const gate = new Admission(1, 10_000);
    const release = await gate.enter();
    release();
    release();
    expect(gate.inUse).toBe(0);
    const again = await gate.enter();
    expect(gate.inUse).toBe(1);
    again();
  });
});
