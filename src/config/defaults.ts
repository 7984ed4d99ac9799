/**
 * The embedded default configuration: what firebreak does with no config file at all.
 * Kept as TOML so `firebreak config show` and the docs show users the same text they would write.
 */
export const DEFAULT_CONFIG_TOML = `
default_role = "developer"

[roles.developer]
description = "A developer or an AI agent working in a project checkout"

[commands]
project_dir = ".firebreak/commands"
bundled = true

[exec]
output_cap_bytes = 1048576
kill_grace_ms = 2000

[audit]
enabled = true
`;
