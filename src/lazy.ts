/**
 * A value built on first use and kept. For zod schemas on the path of a one-shot CLI call: built at a module's top,
 * they cost the call zod's initialisation and their construction even when it validates nothing of theirs
 * (the CommonJS bundle loads zod itself on first use: scripts/bundle.mjs).
 *
 * @example
 * const responseSchema = lazy(() => z.object({ decision: z.enum(["block", "allow"]) }));
 * responseSchema().safeParse(json);
 */
export function lazy<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
