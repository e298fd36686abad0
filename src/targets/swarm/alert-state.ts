/**
 * Where a Swarm target keeps its alert state: a Swarm config named `croncd-alerts-<target>`, made
 * through the Engine API. A config's data is immutable, but its labels may change (with its version
 * index, so a run that read an older version is refused rather than overwriting a newer state):
 * the state sits in the labels, one per item, prefixed `io.croncd.alert.`. Deleting the config
 * makes croncd alert again on everything failing.
 */
import { stateFromFields, stateToFields } from "../../alerts/state-fields.js";
import type { AlertStateStore, TargetAlertState } from "../../alerts/state.js";
import { TargetError } from "../../errors.js";
import { createDockerCli, type DockerCli } from "../../ports/docker.js";
import type { SwarmTargetConfig } from "./config.js";
import { LABELS, MANAGED_BY_VALUE } from "./labels.js";
import { readConfigNamed, updateConfigLabels, type ConfigVersion } from "./labelled-config.js";

export const ALERT_LABEL_PREFIX = "io.croncd.alert.";

export const alertStateConfigName = (target: string): string => `croncd-alerts-${target}`;

/** The config's data: fixed, for a person who inspects it; the state is in the labels. */
const CONTENT = Buffer.from(
  "croncd alert state: what was last alerted per item is in the io.croncd.alert.* labels\n",
).toString("base64");

export function createSwarmAlertStateStore(
  config: Pick<SwarmTargetConfig, "name" | "docker">,
  docker: DockerCli = createDockerCli(config.docker),
): AlertStateStore {
  const name = alertStateConfigName(config.name);
  const where = `Swarm config ${name}`;
  const subject = `target ${config.name}: alert state`;
  const failed = (verb: string, message: string) =>
    new TargetError(`could not ${verb} ${where}: ${message}`, { subject });
  /** The version last read: a write replaces exactly that one. */
  let read: ConfigVersion | undefined;

  const labels = (state: TargetAlertState) => ({
    [LABELS.managedBy]: MANAGED_BY_VALUE,
    [LABELS.target]: config.name,
    ...Object.fromEntries(
      Object.entries(stateToFields(state)).map(([field, value]) => [`${ALERT_LABEL_PREFIX}${field}`, value]),
    ),
  });

  return {
    where,
    async read() {
      read = undefined;
      const found = await readConfigNamed(docker, name, { subject, failed });
      if (!found) return undefined;
      read = { id: found.ID, index: found.Version.Index };
      const fields = Object.entries(found.Spec.Labels ?? {}).flatMap(([label, value]) =>
        label.startsWith(ALERT_LABEL_PREFIX)
          ? [[label.slice(ALERT_LABEL_PREFIX.length), value] as const]
          : [],
      );
      return stateFromFields(Object.fromEntries(fields));
    },
    async write(state) {
      const body = { Name: name, Labels: labels(state), Data: CONTENT };
      if (!read) {
        const answer = await docker.tryRequest(
          { method: "POST", path: "/configs/create", body },
          { subject },
        );
        if (answer.status !== 201 && answer.status !== 200) throw failed("create", answer.message);
        return;
      }
      const answer = await updateConfigLabels(docker, read, body, subject);
      if (answer.status !== 200) throw failed("update", answer.message);
    },
  };
}
