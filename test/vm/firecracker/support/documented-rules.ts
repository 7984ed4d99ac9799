/**
 * Constraints the Firecracker spec states in prose (descriptions), not in its schemas. The contract tests check them
 * on top of schema validation.
 */
import { matchPathTemplate, type SwaggerSpec } from "./swagger.js";

export function documentedRuleViolations(spec: SwaggerSpec, method: string, url: string, body: unknown): string[] {
  const matched = matchPathTemplate(spec, url);
  if (!matched || typeof body !== "object" || body === null) return [];
  const b = body as Record<string, unknown>;
  const at = `${method} ${matched.template}`;
  const errors: string[] = [];
  switch (`${method} ${matched.template}`) {
    case "PUT /drives/{drive_id}":
      if (b.drive_id !== matched.params.drive_id) errors.push(`${at}: body drive_id differs from the path's`);
      // "required for virtio-block config" (firebreak only uses virtio-block, never vhost-user `socket`).
      if (b.path_on_host === undefined) errors.push(`${at}: virtio-block drive needs path_on_host`);
      if (b.is_read_only === undefined) errors.push(`${at}: virtio-block drive needs is_read_only`);
      if (b.socket !== undefined) errors.push(`${at}: socket is for vhost-user-block only`);
      break;
    case "PUT /network-interfaces/{iface_id}":
      if (b.iface_id !== matched.params.iface_id) errors.push(`${at}: body iface_id differs from the path's`);
      break;
    case "PUT /snapshot/load": {
      // "Exactly one of the two `mem_*` fields must be present."
      const present = ["mem_file_path", "mem_backend"].filter((k) => b[k] !== undefined);
      if (present.length !== 1) errors.push(`${at}: exactly one of mem_file_path and mem_backend must be present, got [${present.join(", ")}]`);
      break;
    }
    case "PUT /machine-config":
      // "With SMT enabled, the vCPU count is required to be either 1 or an even number."
      if (b.smt === true && typeof b.vcpu_count === "number" && b.vcpu_count !== 1 && b.vcpu_count % 2 !== 0) {
        errors.push(`${at}: with smt the vCPU count must be 1 or even`);
      }
      break;
  }
  return errors;
}
