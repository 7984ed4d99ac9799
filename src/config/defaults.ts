/**
 * The embedded default configuration: what firebreak does with no config file at all.
 * Kept as TOML so `firebreak config show` and the docs show users the same text they would write.
 */
export const DEFAULT_CONFIG_TOML = `
default_role = "developer"

[roles.developer]
description = "Everyday development (a developer or an AI agent in a checkout): read, write, execute and network, up to high risk"
permissions = ["read", "write", "execute", "network"]
risk_ceiling = "high"
execution_modes = ["local", "hybrid", "firecracker"]

[roles.security]
description = "Security work: may run critical commands, but only inside a microVM"
permissions = ["read", "execute"]
risk_ceiling = "critical"
execution_modes = ["firecracker"]

[roles.viewer]
description = "Read-only inspection, low risk"
permissions = ["read"]
risk_ceiling = "low"
execution_modes = ["local", "hybrid", "firecracker"]

[commands]
project_dir = ".firebreak/commands"
bundled = true

[exec]
output_cap_bytes = 1048576
kill_grace_ms = 2000

[audit]
enabled = true
`;
