/** Guest image (kernel + initramfs) builder with a content-addressed cache under the state dir. */
export { buildGuestImage, findGuestImage, type GuestImage, type ImageBuildOptions } from "./builder.js";
export { computeImageKeys, defaultImageInputs, type ImageInputs, type ImageKeys, DEFAULT_BUSYBOX, DEFAULT_LINUX_SOURCE_TARBALL } from "./inputs.js";
