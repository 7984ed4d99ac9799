/** VM benchmark: see src/vm/bench.ts (also behind `firebreak vm bench`). */
export { runVmBench, type VmBenchOptions, type VmBenchResult } from "../src/vm/bench.js";
