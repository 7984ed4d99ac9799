/** Command-line splitting shared by the backup target finders: flags, option values, operands. */

export interface ParsedArgs {
  operands: string[];
  flags: Set<string>;
  values: Map<string, string>;
}

/**
 * Splits argv (without argv[0]) into flags, option values and operands.
 * `shortWithValue` lists short options taking a value; `optionalValue` short options whose
 * value, if any, is attached (`sed -i.bak`).
 */
export function parseArgs(args: readonly string[], shortWithValue: string, longWithValue: string[] = [], optionalValue = ""): ParsedArgs {
  const out: ParsedArgs = { operands: [], flags: new Set(), values: new Map() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--") {
      out.operands.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      out.flags.add(name);
      if (eq !== -1) out.values.set(name, arg.slice(eq + 1));
      else if (longWithValue.includes(name) && i + 1 < args.length) out.values.set(name, args[++i] as string);
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j] as string;
        out.flags.add(letter);
        if (optionalValue.includes(letter)) {
          if (j + 1 < arg.length) out.values.set(letter, arg.slice(j + 1));
          break;
        }
        if (shortWithValue.includes(letter)) {
          const attached = arg.slice(j + 1);
          if (attached) out.values.set(letter, attached);
          else if (i + 1 < args.length) out.values.set(letter, args[++i] as string);
          break;
        }
      }
      continue;
    }
    out.operands.push(arg);
  }
  return out;
}
