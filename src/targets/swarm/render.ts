/**
 * Renders one stack folder into the exact document `docker stack deploy` will receive: variables
 * interpolated with docker compose's rules, env files folded in, file-based configs and secrets
 * named by content, x-croncd options read, the result checked against the Compose schema, and
 * croncd's ownership labels added to every service. Pure apart from reading the stack's files.
 */
import { createHmac } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { isNode, stringify } from "yaml";
import { RenderError } from "../../errors.js";
import { escapeDollars, interpolateDocument, type VariableLookup } from "../../compose/interpolate.js";
import { resolveRepoFile } from "../../compose/file-refs.js";
import { labelMap } from "../../compose/label-map.js";
import { formatSchemaIssues } from "../../compose/schema.js";
import { decodeUtf8 } from "../../compose/utf8.js";
import { parseYamlFile, type ParsedYaml } from "../../compose/yaml-source.js";
import { canonicalJson, sha256Hex } from "../../util/hash.js";
import type { DiscoveredStack } from "./discover.js";
import { resolveServiceEnvironment } from "./environment.js";
import { deprecatedSyntaxWarnings } from "./deprecated-syntax.js";
import { ignoredOptionWarnings } from "./ignored-options.js";
import { ownershipLabels } from "./labels.js";
import type { DesiredStack } from "./model.js";
import { readStackOptions, STACK_OPTIONS_KEY, type StackOptions } from "./stack-options.js";
import type { StackSecrets } from "./stack-secrets.js";
import { deployabilityIssues } from "./deployability.js";
import { nameFileObjects, type StackObject } from "./swarm-objects.js";
import { isMapping } from "../../util/is-mapping.js";
import type { Policy } from "../policy-schema.js";
import { policyViolations, referencedVariables, withoutSecretValues } from "./policy/index.js";

export interface RenderContext {
  repoRoot: string;
  targetName: string;
  sourceUrl: string;
  commit: string;
  /** CI environment variables the target allow-lists; nothing else is visible to compose files. */
  allowedEnv: Record<string, string>;
  /** Reads sops files of the stack; a fresh one per stack. */
  secrets: StackSecrets;
  /** Names among `allowedEnv` whose values are secrets (the target's secretEnv); none by default. */
  secretEnvNames?: readonly string[];
  /** Optional key (CRONCD_HASH_KEY) that lets secretEnv values change the hash through an HMAC. */
  hashKey?: string;
  /** The target's tenant policy; none: nothing beyond what Swarm itself refuses is checked. */
  policy?: Policy;
}

/** Top-level keys docker stack deploy rejects; croncd owns the stack name. */
const OWN_TOP_LEVEL_KEYS = [STACK_OPTIONS_KEY, "name"];
/**
 * Also dropped once the file is checked against the format it declares: croncd adds keys (a
 * config's `name:`) that older formats lack, and docker CLI >= 23 reads a file without
 * `version:` as the newest 3.x format, which accepts every key of the older ones.
 */
const DROPPED_TOP_LEVEL_KEYS = [...OWN_TOP_LEVEL_KEYS, "version"];

export async function renderStack(stack: DiscoveredStack, context: RenderContext): Promise<DesiredStack> {
  const composeFile = path.relative(context.repoRoot, stack.composeFile);
  const warnings = stack.ignoredComposeFiles.map(
    (name) => `${name} ignored: ${path.basename(stack.composeFile)} takes precedence`,
  );
  const { lookup, secretNames } = await stackVariables(stack.dir, context);
  const composePath = await resolveRepoFile({
    repoRoot: context.repoRoot,
    baseDir: stack.dir,
    reference: path.basename(stack.composeFile),
    field: composeFile,
    location: { file: composeFile },
  });
  const parsed = parseYamlFile(decodeUtf8(await readFile(composePath), composeFile), composeFile);
  if (!isMapping(parsed.value)) {
    throw new RenderError("a compose file must be a mapping with a services: key", {
      subject: composeFile,
      location: { file: composeFile },
    });
  }
  const interpolated = interpolateDocument(parsed.value, lookup, parsed, (message) =>
    warnings.push(message),
  ) as Record<string, unknown>;

  const options = readStackOptions(
    interpolated[STACK_OPTIONS_KEY],
    composeFile,
    parsed.locate([STACK_OPTIONS_KEY]),
  );
  if (interpolated.name !== undefined) {
    // docker stack deploy refuses a top-level name:; croncd drops it rather than fail the stack.
    warnings.push(`top-level name: ignored: the stack is named after its folder ("${stack.name}")`);
  }
  const checked = Object.fromEntries(
    Object.entries(interpolated).filter(([key]) => !OWN_TOP_LEVEL_KEYS.includes(key)),
  );
  const issues = deployabilityIssues(checked, { stackName: stack.name, ownTopLevelKeys: OWN_TOP_LEVEL_KEYS });
  if (issues.length > 0) throw formatSchemaIssues(issues, parsed, checked, "cannot be deployed to Swarm");
  const document = Object.fromEntries(
    Object.entries(checked).filter(([key]) => !DROPPED_TOP_LEVEL_KEYS.includes(key)),
  );
  const services = document.services;
  if (!isMapping(services) || Object.keys(services).length === 0) {
    throw new RenderError("declares no services", {
      subject: composeFile,
      location: parsed.locate(["services"]),
      hint: "a stack needs at least one service",
    });
  }

  warnings.push(...ignoredOptionWarnings(services), ...deprecatedSyntaxWarnings(document));

  const objectContext = {
    repoRoot: context.repoRoot,
    stackDir: stack.dir,
    stackName: stack.name,
    composeFile,
    locate: parsed.locate,
    secrets: context.secrets,
  };
  const configs = await nameFileObjects("configs", document.configs, objectContext);
  const secrets = await nameFileObjects("secrets", document.secrets, objectContext);
  const objects = [...configs.objects, ...secrets.objects];
  for (const [serviceName, service] of Object.entries(services)) {
    if (!isMapping(service)) continue;
    const environment = await resolveServiceEnvironment(service, {
      repoRoot: context.repoRoot,
      stackDir: stack.dir,
      where: `${composeFile} services.${serviceName}`,
      locate: (keys) => parsed.locate(["services", serviceName, ...keys]),
      lookup,
      secrets: context.secrets,
    });
    delete service.env_file;
    if (environment !== undefined) service.environment = environment;
  }

  // On the document as docker would receive it (interpolated, env files folded in), before the
  // hash and labels: a refused stack is a render failure, so nothing is deployed or pruned.
  if (context.policy) {
    const violations = withoutSecretValues(policyViolations(document, context.policy, stack.name), (at) =>
      readsSecret(parsed, at, secretNames),
    );
    if (violations.length > 0)
      throw formatSchemaIssues(violations, parsed, document, "breaks the target's policy");
  }

  const hash = await desiredStateHash({
    parsed,
    document,
    objects,
    options,
    stack,
    composeFile,
    context,
    lookup,
    secretNames,
  });
  const labels = ownershipLabels({
    target: context.targetName,
    sourceUrl: context.sourceUrl,
    commit: context.commit,
    desiredHash: hash,
    prune: options.prune,
  });
  for (const service of Object.values(services)) {
    if (isMapping(service)) addDeployLabels(service, labels);
  }
  let deployYaml: string | undefined;
  return {
    name: stack.name,
    dir: stack.dir,
    composeFile,
    document,
    // Serialised on first use: most stacks of a run are unchanged and never deployed.
    get yaml() {
      deployYaml ??= stringify(escapeDollars(withObjectsCroncdCreates(document, objects)), {
        lineWidth: 0,
      });
      return deployYaml;
    },
    hash,
    options,
    serviceNames: Object.keys(services),
    revisionedObjects: configs.contentNamed + secrets.contentNamed,
    objects,
    warnings,
  };
}

/**
 * Whether the file's text at `at` reads a secret variable. A value that comes from an anchor or a
 * merge key is not found at its path: with secrets about, it counts as reading one (fails safe).
 */
function readsSecret(
  parsed: ParsedYaml,
  at: readonly (string | number)[],
  secretNames: ReadonlySet<string>,
): boolean {
  if (secretNames.size === 0) return false;
  const node: unknown = parsed.document.getIn(at, true);
  if (node === undefined) return true;
  const text = JSON.stringify(isNode(node) ? node.toJSON() : node);
  return referencedVariables(text).some((name) => secretNames.has(name));
}

/**
 * The stack's variables: the folder's `.env` (plain or sops-encrypted) and every `*.sops.env`
 * beside it, with docker compose's precedence — the (allow-listed) CI environment wins. A name
 * that two files define is an error: which one should win would be a guess.
 */
async function stackVariables(
  stackDir: string,
  context: RenderContext,
): Promise<{ lookup: VariableLookup; secretNames: Set<string> }> {
  const names = (await readdir(stackDir))
    .filter((name) => name === ".env" || name.endsWith(".sops.env"))
    .sort();
  const fromFiles = new Map<string, { value: string; file: string }>();
  const secretNames = new Set(context.secretEnvNames ?? []);
  for (const name of names) {
    const display = path.relative(context.repoRoot, path.join(stackDir, name));
    // Through the same confinement as every other file: a `.env` linked to /proc/self/environ
    // would otherwise hand the CI job's whole environment to the compose file.
    const real = await resolveRepoFile({
      repoRoot: context.repoRoot,
      baseDir: stackDir,
      reference: name,
      field: display,
      location: { file: display },
    });
    const file = await context.secrets.readEnvFile(real, display, (variable) => context.allowedEnv[variable]);
    for (const [key, value] of file.variables) {
      const earlier = fromFiles.get(key);
      if (earlier) {
        throw new RenderError(`variable ${key} is defined in both ${earlier.file} and ${display}`, {
          subject: display,
          location: { file: display },
          hint: "define each variable in one file",
        });
      }
      fromFiles.set(key, { value, file: display });
      if (file.encrypted && context.allowedEnv[key] === undefined) secretNames.add(key);
    }
  }
  return { lookup: (name) => context.allowedEnv[name] ?? fromFiles.get(name)?.value, secretNames };
}

interface HashInput {
  parsed: ParsedYaml;
  document: Record<string, unknown>;
  objects: readonly StackObject[];
  options: StackOptions;
  stack: DiscoveredStack;
  composeFile: string;
  context: RenderContext;
  lookup: VariableLookup;
  secretNames: ReadonlySet<string>;
}

/**
 * The stack options as the hash sees them: `stableFor` only says how long croncd watches a
 * rollout, `followTags` only when croncd looks at the registry, and `suspend`/`suspendReason` only
 * whether croncd touches the stack at all, so they are left out: setting them (or a croncd that
 * gained them) redeploys nothing, and resuming a stack redeploys it only if it differs from git.
 */
const NOT_DEPLOY_SHAPING: ReadonlySet<string> = new Set([
  "stableForSeconds",
  "followTags",
  "suspend",
  "suspendReason",
]);

function deployShapingOptions(options: StackOptions): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([key]) => !NOT_DEPLOY_SHAPING.has(key)));
}

/**
 * The hash covers everything that shapes the deployed services except croncd's own bookkeeping,
 * so a commit that does not touch this stack does not redeploy it. It must not be a hash of any
 * secret (a short one could be guessed from the label): the document is interpolated a second
 * time with a placeholder where each secret goes, and sops secrets count through a digest of
 * their ciphertext, which changes whenever they do.
 */
async function desiredStateHash(input: HashInput): Promise<string> {
  const { document, context } = input;
  // Without any secret (no secret variable, no sops file), the placeholder pass would rebuild
  // this very document: hash it as it is.
  const hashed =
    input.secretNames.size === 0 && context.secrets.ciphertextDigests.length === 0
      ? document
      : await documentWithPlaceholders(input);
  const secretEnvDigest = context.hashKey
    ? createHmac("sha256", context.hashKey)
        .update(
          canonicalJson(
            (context.secretEnvNames ?? []).map((name) => [name, context.allowedEnv[name] ?? null]),
          ),
        )
        .digest("hex")
    : undefined;
  return sha256Hex(
    canonicalJson({
      document: hashed,
      options: deployShapingOptions(input.options),
      sops: context.secrets.ciphertextDigests,
      ...fixedNameContent(input.objects),
      ...(secretEnvDigest ? { secretEnv: secretEnvDigest } : {}),
    }),
  );
}

/**
 * A fixed `name:` does not change with the content, so the content counts by digest (of the
 * ciphertext, for a sops file): a changed file must redeploy the stack, where Swarm then refuses
 * the new content under the old name. Absent without fixed names, so those hashes stay as they were.
 */
function fixedNameContent(objects: readonly StackObject[]): { fixedNameObjects?: string[][] } {
  const fixed = objects.filter((object) => object.fixedName);
  if (fixed.length === 0) return {};
  return { fixedNameObjects: fixed.map((object) => [object.section, object.key, object.contentDigest]) };
}

/** The stack rendered again with `<secret NAME>` wherever a secret value went. */
async function documentWithPlaceholders(input: HashInput): Promise<Record<string, unknown>> {
  const { parsed, document, context } = input;
  const lookup: VariableLookup = (name) =>
    input.secretNames.has(name) ? `<secret ${name}>` : input.lookup(name);
  const shape = interpolateDocument(parsed.value, lookup, input.composeFile) as Record<string, unknown>;
  const hashed = Object.fromEntries(
    Object.entries(shape).filter(([key]) => !DROPPED_TOP_LEVEL_KEYS.includes(key)),
  );
  // Object names are already plaintext-free (content or ciphertext hashes): take them as named.
  if (document.configs !== undefined) hashed.configs = document.configs;
  if (document.secrets !== undefined) hashed.secrets = document.secrets;
  const services = isMapping(hashed.services) ? hashed.services : {};
  for (const [serviceName, service] of Object.entries(services)) {
    if (!isMapping(service)) continue;
    const environment = await resolveServiceEnvironment(service, {
      repoRoot: context.repoRoot,
      stackDir: input.stack.dir,
      where: `${input.composeFile} services.${serviceName}`,
      lookup,
      secrets: context.secrets,
      placeholders: true,
    });
    delete service.env_file;
    if (environment !== undefined) service.environment = environment;
  }
  return hashed;
}

/**
 * The document `docker stack deploy` reads: the objects croncd creates itself (from decrypted sops
 * files, in memory) appear as `external`, by name, so docker never reads those files.
 */
export function withObjectsCroncdCreates(
  document: Record<string, unknown>,
  objects: readonly StackObject[],
): Record<string, unknown> {
  const created = objects.filter((object) => object.createdByCroncd);
  if (created.length === 0) return document;
  const copy = { ...document };
  for (const object of created) {
    const section = { ...(copy[object.section] as Record<string, unknown>) };
    section[object.key] = { name: object.name, external: true };
    copy[object.section] = section;
  }
  return copy;
}

function addDeployLabels(service: Record<string, unknown>, labels: Record<string, string>): void {
  const deploy = isMapping(service.deploy) ? service.deploy : {};
  deploy.labels = { ...labelMap(deploy.labels), ...labels };
  service.deploy = deploy;
}
