/**
 * Before a stack is deployed: creates the configs and secrets croncd holds in memory (decrypted
 * sops files) through the Engine API, and makes sure no object whose name `name:` fixes has
 * changed its content. Either way nothing of the stack is deployed when this fails.
 *
 * Why croncd asks Swarm to judge the content: a secret's data cannot be read back, but an update
 * that carries the same data and the object's own labels is accepted and changes nothing, while
 * one with other data is refused ("only updates to Labels are allowed").
 */
import { TargetError } from "../../errors.js";
import type { DockerCli } from "../../ports/docker.js";
import type { ObjectSection, StackObject } from "./swarm-objects.js";

interface ExistingObject {
  ID: string;
  Version: { Index: number };
  Spec: Record<string, unknown> & { Name?: string };
}

const KIND: Record<ObjectSection, "config" | "secret"> = { configs: "config", secrets: "secret" };

export async function prepareStackObjects(docker: DockerCli, objects: readonly StackObject[]): Promise<void> {
  // Fixed names first: the one refusal that is expected here then leaves no new object behind.
  const ordered = [...objects].sort((a, b) => Number(b.fixedName) - Number(a.fixedName));
  for (const object of ordered) {
    if (object.createdByCroncd) await createObject(docker, object);
    else await checkUnchanged(docker, object, { mustExist: false });
  }
}

async function createObject(docker: DockerCli, object: StackObject): Promise<void> {
  const kind = KIND[object.section];
  const answer = await docker.tryRequest(
    {
      method: "POST",
      path: `/${object.section}/create`,
      body: {
        Name: object.name,
        Labels: object.labels,
        Data: object.content.base64(),
        ...(object.templateDriver ? { Templating: { Name: object.templateDriver } } : {}),
      },
    },
    { subject: subjectOf(object) },
  );
  if (answer.status === 201 || answer.status === 200) return;
  if (answer.status !== 409) {
    throw new TargetError(`could not create ${kind} ${object.name}: ${answer.message}`, {
      subject: subjectOf(object),
    });
  }
  // A content-addressed name holds a digest of the content: the object there has this content.
  if (object.fixedName) await checkUnchanged(docker, object, { mustExist: true });
}

/**
 * Swarm judges whether `object`'s name already holds other content. A fixed-name object that does
 * not exist yet is created by `docker stack deploy` (or was just found to exist: `mustExist`).
 */
async function checkUnchanged(
  docker: DockerCli,
  object: StackObject,
  options: { mustExist: boolean },
): Promise<void> {
  const kind = KIND[object.section];
  const subject = subjectOf(object);
  const found = await docker.tryRequest(
    { method: "GET", path: `/${object.section}/${encodeURIComponent(object.name)}` },
    { subject },
  );
  const existing = found.json as ExistingObject | undefined;
  if (found.status === 404 || (found.status === 200 && existing?.Spec.Name !== object.name)) {
    if (!options.mustExist) return;
    throw new TargetError(
      `another run (or person) removed ${kind} ${object.name} while croncd was creating it: run croncd again`,
      { subject },
    );
  }
  if (found.status !== 200 || !existing) {
    throw new TargetError(`could not read ${kind} ${object.name}: ${found.message}`, { subject });
  }
  const update = await docker.tryRequest(
    {
      method: "POST",
      path: `/${object.section}/${existing.ID}/update?version=${existing.Version.Index}`,
      // The object's own labels: this asks about the content and changes nothing else.
      body: { ...existing.Spec, Data: object.content.base64() },
    },
    { subject },
  );
  if (update.status === 200) return;
  if (/only updates to labels are allowed/i.test(update.message)) {
    throw new TargetError(
      `its content changed but its name is fixed by \`name:\` (${object.name}); Swarm objects cannot change: ` +
        `give it a new name (e.g. ${object.name}-v2) here and in the stacks that use it, ` +
        "or remove `name:` to let croncd name each revision by content",
      { subject },
    );
  }
  if (/out of sequence/i.test(update.message)) {
    throw new TargetError(
      `another run (or person) changed ${kind} ${object.name} at the same time: run croncd again`,
      { subject },
    );
  }
  throw new TargetError(`could not check ${kind} ${object.name}: ${update.message}`, { subject });
}

/** `secret db`: its key in the compose file, as the author knows it (the log names the stack). */
function subjectOf(object: StackObject): string {
  return `${KIND[object.section]} ${object.key}`;
}
