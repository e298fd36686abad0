/**
 * The Swarm's lock: a Swarm config named `lock.name` (default `croncd-lock`), one per Swarm, made
 * through the Engine API. Creating a config whose name exists is refused (409), which is what
 * makes taking the lock atomic. Who holds it and until when sit in its labels, the one part of a
 * config Swarm lets change (with its version index: a stale writer is refused).
 *
 * A takeover deletes the expired config by its ID, then creates a new one: each holder's config
 * has its own ID, so a release (by ID) can never remove the lock of the run that came next.
 */
import { TargetError } from "../../errors.js";
import { runDockerSync, type DockerCli, type DockerEndpoint } from "../../ports/docker.js";
import { parseRecordFields, recordFields, type LockRecord } from "../../lock/record.js";
import type { LockStore, StoredLock } from "../../lock/store.js";
import { readConfigNamed, updateConfigLabels, type ConfigVersion } from "./labelled-config.js";

export const LOCK_LABELS = {
  holder: "io.croncd.lock.holder",
  token: "io.croncd.lock.token",
  acquiredAt: "io.croncd.lock.acquired-at",
  expiresAt: "io.croncd.lock.expires-at",
} as const satisfies Record<keyof LockRecord, string>;

/** This exact config: its ID (one per holder) and version index (one per label update). */
export type SwarmLockVersion = ConfigVersion;

/** The config's content: fixed, for a person who inspects it; what matters is in the labels. */
const CONTENT = Buffer.from(
  "croncd lock: the run named in the io.croncd.lock.* labels is changing this Swarm\n",
).toString("base64");

export function createSwarmLockStore(
  docker: DockerCli,
  endpoint: DockerEndpoint,
  name: string,
): LockStore<SwarmLockVersion> {
  const where = `Swarm config ${name}`;
  const subject = `lock ${name}`;
  const failed = (verb: string, message: string) =>
    new TargetError(`could not ${verb} ${where}: ${message}`, { subject });
  const labels = (record: LockRecord) =>
    Object.fromEntries(
      Object.entries(recordFields(record)).map(([field, value]) => [
        LOCK_LABELS[field as keyof LockRecord],
        value,
      ]),
    );

  const create = async (record: LockRecord): Promise<SwarmLockVersion | undefined> => {
    const answer = await docker.tryRequest(
      {
        method: "POST",
        path: "/configs/create",
        body: { Name: name, Labels: labels(record), Data: CONTENT },
      },
      { subject },
    );
    if (answer.status === 409) return undefined;
    if (answer.status !== 201 && answer.status !== 200) throw failed("create", answer.message);
    // The index is read back by the caller (acquireLock confirms every lock it gets).
    return { id: (answer.json as { ID: string }).ID, index: 0 };
  };

  const remove = async (id: string): Promise<void> => {
    const answer = await docker.tryRequest(
      { method: "DELETE", path: `/configs/${encodeURIComponent(id)}` },
      { subject },
    );
    // Gone already: whoever removed it, this exact config is no longer there.
    if (answer.status !== 204 && answer.status !== 200 && answer.status !== 404) {
      throw failed("remove", answer.message);
    }
  };

  return {
    where,
    removeHint: `docker config rm ${name}`,
    create,
    async read(): Promise<StoredLock<SwarmLockVersion> | undefined> {
      const config = await readConfigNamed(docker, name, { subject, failed });
      if (!config) return undefined;
      const found = config.Spec.Labels ?? {};
      return {
        record: parseRecordFields({
          holder: found[LOCK_LABELS.holder],
          token: found[LOCK_LABELS.token],
          acquiredAt: found[LOCK_LABELS.acquiredAt],
          expiresAt: found[LOCK_LABELS.expiresAt],
        }),
        version: { id: config.ID, index: config.Version.Index },
      };
    },
    async takeOver(stale, record) {
      await remove(stale.id);
      return create(record);
    },
    async renew(version, record) {
      const body = { Name: name, Labels: labels(record), Data: CONTENT };
      const answer = await updateConfigLabels(docker, version, body, subject);
      if (answer.status === 404 || /out of sequence/i.test(answer.message)) return undefined;
      if (answer.status !== 200) throw failed("renew", answer.message);
      const reread = await this.read();
      return reread && reread.version.id === version.id ? reread.version : undefined;
    },
    release: (version) => remove(version.id),
    releaseSync(version) {
      runDockerSync(endpoint, ["config", "rm", version.id]);
    },
  };
}
