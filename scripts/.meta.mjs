import { build } from "esbuild";
const entry = process.argv[2];
const r = await build({ entryPoints: [entry], bundle: true, platform: "node", format: "cjs", write: false, metafile: true, external: ["web-tree-sitter", "tree-sitter", "tree-sitter-bash", "react-devtools-core"], logLevel: "error" });
const out = Object.values(r.metafile.outputs)[0];
console.log("bytes", out.bytes);
const byPkg = new Map();
for (const [f, i] of Object.entries(out.inputs)) { const k = f.startsWith("node_modules/") ? f.split("/").slice(0, f.split("/")[1].startsWith("@") ? 3 : 2).join("/") : f.split("/").slice(0, 3).join("/"); byPkg.set(k, (byPkg.get(k) ?? 0) + i.bytesInOutput); }
console.log([...byPkg].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, v]) => `${String(v).padStart(8)} ${k}`).join("\n"));
