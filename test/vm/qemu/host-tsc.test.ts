import { describe, expect, it } from "vitest";
import { hostTscKhz, parseCpuinfoTsc, parseDmesgTsc } from "../../../src/vm/qemu/host-tsc.js";

describe("host TSC frequency", () => {
  it("prefers the refined calibration over the early estimate in the kernel log", () => {
    const log = "[0.000063] tsc: Detected 2596.148 MHz processor\n[1.2] tsc: Refined TSC clocksource calibration: 2596.101 MHz\n";
    expect(parseDmesgTsc(log)).toEqual({ khz: 2596101, source: "dmesg-refined" });
    expect(parseDmesgTsc("[0.000063] tsc: Detected 2596.148 MHz processor")).toEqual({ khz: 2596148, source: "dmesg-detected" });
    expect(parseDmesgTsc("[0.0] tsc: Detected 3000.000 MHz TSC")).toEqual({ khz: 3000000, source: "dmesg-detected" });
    expect(parseDmesgTsc("nothing here")).toBeUndefined();
  });

  it("reads cpuinfo: cpu MHz with tsc_known_freq, else the nominal model-name rate, else cpu MHz", () => {
    const known = "processor\t: 0\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2596.148\nflags\t\t: fpu tsc constant_tsc tsc_known_freq\n\nprocessor\t: 1\n";
    expect(parseCpuinfoTsc(known)).toEqual({ khz: 2596148, source: "cpuinfo-mhz" });
    const intel = "model name\t: Intel(R) Xeon(R) CPU E5-2670 0 @ 2.60GHz\ncpu MHz\t\t: 1200.000\nflags\t\t: fpu tsc constant_tsc\n";
    expect(parseCpuinfoTsc(intel)).toEqual({ khz: 2600000, source: "cpuinfo-model-name" });
    const bare = "model name\t: Some CPU\ncpu MHz\t\t: 1999.5\nflags\t\t: fpu\n";
    expect(parseCpuinfoTsc(bare)).toEqual({ khz: 1999500, source: "cpuinfo-mhz" });
    expect(parseCpuinfoTsc("processor : 0\n")).toBeUndefined();
  });

  it("finds a plausible value on this host", async () => {
    const tsc = await hostTscKhz();
    // Every x86 host this runs on has some source; the value is a CPU clock (0.5–10 GHz).
    expect(tsc?.khz).toBeGreaterThan(500_000);
    expect(tsc?.khz).toBeLessThan(10_000_000);
  });
});
