/**
 * A vitest setup file (runs in every test file's context): removes the temp dirs the helpers made,
 * after the file's own afterAll hooks (setup-file hooks are registered first, so they run last).
 */
import { afterAll } from "vitest";
import { removeTempDirs } from "./tmp.js";

afterAll(() => removeTempDirs());
