// Failures in the shape the Kubernetes API returns them (a `Status` object with a machine-readable
// `reason`), because client-go turns exactly these into the errors helm prints: `secrets "x" not
// found`, `... is forbidden: User "..." cannot ...`, `... already exists`.
import type { ResourceType } from "./resources.js";

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  toStatus(): object {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      details: this.details,
      code: this.code,
    };
  }
}

function details(type: ResourceType, name?: string): Record<string, unknown> {
  return { ...(name === undefined ? {} : { name }), group: type.group, kind: type.plural };
}

export function notFound(type: ResourceType, name: string): ApiError {
  return new ApiError(404, "NotFound", `${type.plural} "${name}" not found`, details(type, name));
}

export function alreadyExists(type: ResourceType, name: string): ApiError {
  return new ApiError(409, "AlreadyExists", `${type.plural} "${name}" already exists`, details(type, name));
}

export function conflict(
  type: ResourceType,
  name: string,
  why = "the object has been modified; please apply your changes to the latest version and try again",
): ApiError {
  return new ApiError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${type.plural} "${name}": ${why}`,
    details(type, name),
  );
}

export function forbidden(
  user: string,
  verb: string,
  type: ResourceType,
  namespace: string | undefined,
  name: string | undefined,
): ApiError {
  const subject = name === undefined ? type.plural : `${type.plural} "${name}"`;
  const scope = namespace === undefined ? "at the cluster scope" : `in the namespace "${namespace}"`;
  return new ApiError(
    403,
    "Forbidden",
    `${subject} is forbidden: User "${user}" cannot ${verb} resource "${type.plural}" in API group "${type.group}" ${scope}`,
    details(type, name),
  );
}

export function unauthorized(): ApiError {
  return new ApiError(401, "Unauthorized", "Unauthorized");
}

export function invalid(type: ResourceType, name: string, message: string): ApiError {
  return new ApiError(422, "Invalid", `${type.kind} "${name}" is invalid: ${message}`, details(type, name));
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, "BadRequest", message);
}

export function notServed(path: string): ApiError {
  return new ApiError(404, "NotFound", `the server could not find the requested resource (${path})`);
}

export function unsupported(message: string): ApiError {
  return new ApiError(415, "UnsupportedMediaType", message);
}

export function methodNotSupported(message: string): ApiError {
  return new ApiError(405, "MethodNotAllowed", message);
}
