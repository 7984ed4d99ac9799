/** firebreak's version, as `--version`, `/healthz` and the OpenAPI document report it. */
export const VERSION = "0.1.0";
