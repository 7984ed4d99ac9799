import type { z } from "@hono/zod-openapi";
import { ErrorSchema } from "../schemas.js";

/** An OpenAPI response with a JSON body. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

/** The error answers every route can give (each `{error: {code, message, exit_code, …}}`). */
export const ERROR_RESPONSES = {
  400: json(ErrorSchema, "Invalid request or arguments (names the field or parameter)"),
  422: json(ErrorSchema, "Configuration or definition error (an untrusted project config, a broken file)"),
};
