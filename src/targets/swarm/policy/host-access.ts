/**
 * The keys that hand a container the node itself: privileged mode, the host's network, PID and
 * IPC namespaces, devices, and added capabilities. `docker stack deploy` ignores `privileged`,
 * `network_mode`, `pid`, `ipc` and `devices` today (docker/cli lists them as unsupported for
 * Swarm), yet a tenant who writes them asked for that access: they are refused all the same, so a
 * later docker that honours one does not silently widen what tenants can do.
 */
import { isMapping } from "../../../util/is-mapping.js";
import type { Policy } from "../../policy-schema.js";
import { serviceEntries, violation, type Path } from "./violation.js";
import type { SchemaIssue } from "../../../compose/schema.js";

export function hostAccessViolations(document: Record<string, unknown>, policy: Policy): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const hostNetworks = hostNetworkKeys(document.networks);
  if (!policy.hostNetwork) {
    for (const key of hostNetworks) {
      issues.push(
        violation(
          "hostNetwork",
          ["networks", key],
          `network "${key}" is the host's network, which this target does not allow`,
        ),
      );
    }
  }
  const allowedCaps = new Set(policy.capAdd.map(capabilityName));
  for (const [name, service] of serviceEntries(document)) {
    const at: Path = ["services", name];
    if (!policy.privileged && service.privileged === true) {
      issues.push(
        violation("privileged", [...at, "privileged"], "privileged mode is not allowed for this target"),
      );
    }
    if (!policy.hostNetwork) {
      if (service.network_mode === "host") {
        issues.push(
          violation(
            "hostNetwork",
            [...at, "network_mode"],
            "network_mode: host is not allowed for this target",
          ),
        );
      }
      for (const key of serviceNetworkKeys(service.networks).filter((key) => hostNetworks.includes(key))) {
        issues.push(
          violation(
            "hostNetwork",
            [...at, "networks"],
            `joins the host's network ("${key}"), which this target does not allow`,
          ),
        );
      }
    }
    if (!policy.hostPid && service.pid === "host") {
      issues.push(violation("hostPid", [...at, "pid"], "pid: host is not allowed for this target"));
    }
    if (!policy.hostIpc && service.ipc === "host") {
      issues.push(violation("hostIpc", [...at, "ipc"], "ipc: host is not allowed for this target"));
    }
    if (!policy.devices && Array.isArray(service.devices) && service.devices.length > 0) {
      issues.push(
        violation("devices", [...at, "devices"], "mapping host devices is not allowed for this target"),
      );
    }
    if (Array.isArray(service.cap_add)) {
      service.cap_add.forEach((capability: unknown, index) => {
        const wanted = capabilityName(String(capability));
        if (allowedCaps.has(wanted) || allowedCaps.has("ALL")) return;
        const allowed =
          policy.capAdd.length === 0 ? "none is allowed" : `allowed: ${[...allowedCaps].join(", ")}`;
        issues.push(
          violation(
            "capAdd",
            [...at, "cap_add", index],
            `capability ${wanted} is not allowed for this target (${allowed})`,
          ),
        );
      });
    }
  }
  return issues;
}

/** `cap_net_admin`, `CAP_NET_ADMIN` and `NET_ADMIN` are one capability to docker. */
function capabilityName(capability: string): string {
  const upper = capability.trim().toUpperCase();
  return upper.startsWith("CAP_") ? upper.slice(4) : upper;
}

/**
 * Top-level networks that are the host's: `name: host` or `external: {name: host}` (Swarm's predefined network, which a
 * stack can only join as external), a key `host` without another name, or the `host` driver.
 */
function hostNetworkKeys(networks: unknown): string[] {
  if (!isMapping(networks)) return [];
  return Object.entries(networks).flatMap(([key, network]) => {
    const definition = isMapping(network) ? network : {};
    // The older `external: {name: …}` form names the network too.
    const external = isMapping(definition.external) ? definition.external : {};
    const name =
      typeof definition.name === "string"
        ? definition.name
        : typeof external.name === "string"
          ? external.name
          : key;
    return name === "host" || definition.driver === "host" ? [key] : [];
  });
}

function serviceNetworkKeys(networks: unknown): string[] {
  if (Array.isArray(networks)) return networks.map(String);
  return isMapping(networks) ? Object.keys(networks) : [];
}
