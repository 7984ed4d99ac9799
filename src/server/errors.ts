import type { Context } from "hono";
import type { ErrorBody } from "../api/wire.js";
import { EXIT, FirebreakError, UnknownCommandError } from "../errors.js";

const STATUS_BY_CODE: Record<string, 400 | 403 | 404 | 409 | 422 | 500 | 503> = {
  usage: 400,
  argument: 400,
  unknown_command: 404,
  refused: 403,
  config: 422,
  definition: 422,
  template: 422,
  changes: 409,
  vm_capacity: 503,
  pool: 503,
};

/** An error as the API answers it: a status from its kind, and the body the CLI client prints the same way. */
export function errorBody(error: unknown): { status: 400 | 403 | 404 | 409 | 422 | 500 | 503; body: ErrorBody } {
  if (error instanceof FirebreakError) {
    const extra = error as FirebreakError & { reasons?: unknown; usage?: unknown };
    const status = error instanceof UnknownCommandError ? 404 : (STATUS_BY_CODE[error.code] ?? 500);
    return {
      status,
      body: {
        error: {
          code: error.code,
          message: error.message,
          exit_code: error.exitCode,
          ...(Array.isArray(extra.reasons) ? { reasons: extra.reasons as string[] } : {}),
          ...(extra.usage ? { usage: String(extra.usage) } : {}),
        },
      },
    };
  }
  return { status: 500, body: { error: { code: "internal", message: `internal error: ${(error as Error)?.message ?? String(error)}`, exit_code: EXIT.INTERNAL } } };
}

export function errorResponse(c: Context, error: unknown): Response {
  const { status, body } = errorBody(error);
  return c.json(body, status);
}

/** A 400 naming each invalid field of the request by its path (`args.0`, `cwd`). */
export function validationError(c: Context, where: "body" | "query" | "path", issues: readonly { path: readonly PropertyKey[]; message: string }[]): Response {
  const list = issues.map((i) => ({ path: i.path.map(String).join(".") || "(root)", message: i.message }));
  const first = list[0];
  const message = first ? `invalid request ${where}: ${first.path}: ${first.message}` : `invalid request ${where}`;
  const body: ErrorBody = { error: { code: "usage", message, exit_code: EXIT.USAGE, issues: list } };
  return c.json(body, 400);
}
