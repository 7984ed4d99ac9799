/**
 * The identity of the running build, for caches whose entries only the exact code that wrote them may read.
 *
 * The bundler (scripts/bundle.mjs) defines `FIREBREAK_BUILD_ID` as a hash of the compiled sources and of the
 * bundled packages' versions; Node's version is added, since what a build validates can depend on it (time zones
 * against its ICU data, patterns against its regular expressions). Unbundled (tsc's output, the tests), there is
 * none and such caches are off: no edit of a source file can then meet an entry an older version of it wrote.
 *
 * @example
 * if (BUILD_ID) cache = new ValidatedConfigCache(file, keyFile, BUILD_ID);
 */
declare const FIREBREAK_BUILD_ID: string | undefined;

export const BUILD_ID: string | undefined = typeof FIREBREAK_BUILD_ID === "string" ? `${FIREBREAK_BUILD_ID} ${process.version}` : undefined;
