// A FAKE helmfile, for croncd's tests only. Real helmfile and the helm-diff plugin cannot be
// installed on these machines (not in Debian, not on npm), so this script replays their documented
// behaviour for the subset croncd relies on, and REALLY drives the real helm (and kubectl, for the
// three-way merge) found on PATH against the Kubernetes API stand-in:
//
// - reads a plain-YAML helmfile (no templating, no helmfile.d): helmDefaults (atomic, wait, timeout,
//   disableOpenAPIValidation), environments (names only), releases (name, namespace, chart as a
//   local path, version, values files and inline maps, set, installed, labels, atomic, wait,
//   timeout, disableOpenAPIValidation);
// - global flags --file/-f, --environment/-e, --selector/-l (repeated: ORed; `k=v,k2!=v2` ANDed),
//   --kube-context;
// - `list --output json`: [{name, namespace, enabled, installed, labels: "k:v,…", chart, version}];
// - `diff --detailed-exitcode [--suppress-secrets]`: per release the documented header
//   `Comparing release=NAME, chart=CHART, namespace=NS`, then helm-diff-like lines
//   (`NS, NAME, KIND (GROUP) has changed:` and `-`/`+` lines) comparing `helm template` with the
//   release's stored manifest (`helm get manifest`) and, with HELM_DIFF_THREE_WAY_MERGE=true or
//   --three-way-merge, with the live objects (`kubectl get`); exit 0 none, 2 changes, 1 error
//   (wins), 3 when the selectors matched no release;
// - `template`: `helm template` of each selected installed release, one after the other;
// - `apply [--wait] [--timeout N] [--suppress-secrets]`: uninstalls `installed: false` releases
//   that exist, then `helm upgrade --install` the releases whose diff is not empty; one failing
//   release does not stop the others; exit 1 when any failed.
//
// FAKE_HELMFILE_APPLY_GATE=FILE makes `apply` wait until FILE exists (a test holds a run mid-apply).
// FAKE_HELMFILE_HEADERS=stderr prints the `Comparing release=…` headers to stderr instead, as a
// helmfile that logs them would. Every call appends {argv, cwd, envNames, threeWayMerge} as a JSON line to $FAKE_HELMFILE_LOG.
// Errors name the release the way helmfile does: `in ./helmfile.yaml: failed processing release NAME: …`.
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";

const argv = process.argv.slice(2);
const record = {
  argv,
  cwd: process.cwd(),
  envNames: Object.keys(process.env).sort(),
  threeWayMerge: process.env.HELM_DIFF_THREE_WAY_MERGE === "true",
};
// Written on the way out, whatever the way: the record also says how the values files looked.
process.on("exit", () => {
  if (process.env.FAKE_HELMFILE_LOG)
    appendFileSync(process.env.FAKE_HELMFILE_LOG, JSON.stringify(record) + "\n");
});

const options = {
  file: undefined,
  environment: "default",
  selectors: [],
  kubeContext: undefined,
  flags: new Map(),
};
let command;
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i];
  const value = () => argv[++i];
  if (arg === "--file" || arg === "-f") options.file = value();
  else if (arg === "--environment" || arg === "-e") options.environment = value();
  else if (arg === "--selector" || arg === "-l") options.selectors.push(value());
  else if (arg === "--kube-context") options.kubeContext = value();
  else if (arg === "--output" || arg === "--timeout") options.flags.set(arg, value());
  else if (arg.startsWith("--")) options.flags.set(arg, true);
  else if (!command) command = arg;
  else fail(`unexpected argument ${arg}`);
}

// A file, a folder holding helmfile.yaml, or a helmfile.d-style folder of state files read in
// name order; relative paths in each state file are relative to its own folder.
const given = options.file ?? "helmfile.yaml";
const stateFiles =
  existsSync(given) && statSync(given).isDirectory()
    ? existsSync(path.join(given, "helmfile.yaml"))
      ? [path.join(given, "helmfile.yaml")]
      : readdirSync(given)
          .filter((name) => /\.ya?ml$/.test(name))
          .sort()
          .map((name) => path.join(given, name))
    : [given];
if (stateFiles.length === 1 && !existsSync(stateFiles[0])) fail(`in ./${given}: no state file found`);
const states = stateFiles.map((file) => {
  const display = `./${path.relative(process.cwd(), file)}`;
  let state;
  try {
    state = parse(readFileSync(file, "utf8")) ?? {};
  } catch (error) {
    fail(`in ${display}: failed to read ${path.basename(file)}: ${error.message.split("\n")[0]}`);
  }
  if (options.environment !== "default" && !(state.environments ?? {})[options.environment]) {
    fail(`in ${display}: environment "${options.environment}" is not defined`);
  }
  return { state, display, baseDir: path.dirname(file) };
});

const releases = states.flatMap(({ state, display, baseDir }) => releasesOf(state, display, baseDir));

const selected = releases.filter(matchesSelectors);
const valuesPaths = new Map(
  releases.flatMap((r) =>
    r.values.filter((v) => typeof v === "string").map((v) => [v, path.resolve(r.baseDir, v)]),
  ),
);
record.valuesFiles = [...valuesPaths].map(([values, full]) => {
  const info = lstatSync(full);
  return { path: values, symlink: info.isSymbolicLink(), mode: info.mode & 0o777 };
});

if (command === "list") list();
else if (command === "diff") process.exit(diffAll());
else if (command === "apply") process.exit(applyAll());
else if (command === "template") process.exit(templateAll());
else fail(`unknown command ${command}`);

function list() {
  const rows = selected.map((r) => ({
    name: r.name,
    namespace: r.namespace,
    enabled: true,
    installed: r.installed,
    labels: Object.entries(r.labels)
      .map(([k, v]) => `${k}:${v}`)
      .join(","),
    chart: r.chart,
    version: r.version,
  }));
  process.stdout.write(JSON.stringify(rows) + "\n");
}

function diffAll() {
  if (selected.length === 0 && options.selectors.length > 0) return 3;
  let changed = false;
  let failed = false;
  for (const release of selected) {
    const result = diffRelease(release);
    if (result.error) {
      failed = true;
      reportFailure(release, result.error);
    }
    if (result.changed) changed = true;
  }
  if (!options.flags.has("--detailed-exitcode")) return failed ? 1 : 0;
  return failed ? 1 : changed ? 2 : 0;
}

/** `helm template` of each selected installed release, printed one after the other. */
function templateAll() {
  let failed = false;
  for (const release of selected.filter((r) => r.installed)) {
    const rendered = helmTemplate(release);
    if (rendered.status !== 0) {
      failed = true;
      reportFailure(release, rendered.stderr);
      continue;
    }
    process.stdout.write(rendered.stdout);
  }
  return failed ? 1 : 0;
}

function applyAll() {
  const gate = process.env.FAKE_HELMFILE_APPLY_GATE;
  // Sleeps synchronously between looks: this script has nothing else to do meanwhile.
  while (gate && !existsSync(gate)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  let failed = false;
  for (const release of selected) {
    if (!release.installed) {
      if (helm(["status", release.name, "--namespace", release.namespace]).status !== 0) continue;
      const result = helm(["uninstall", release.name, "--namespace", release.namespace]);
      process.stdout.write(result.stdout);
      if (result.status !== 0) {
        failed = true;
        reportFailure(release, result.stderr);
      }
      continue;
    }
    const diff = diffRelease(release);
    if (diff.error) {
      failed = true;
      reportFailure(release, diff.error);
      continue;
    }
    if (!diff.changed) continue;
    const timeout = options.flags.get("--timeout") ?? release.timeout;
    const result = helm([
      "upgrade",
      "--install",
      release.name,
      chartPath(release),
      "--namespace",
      release.namespace,
      ...valuesArgs(release),
      ...(release.noOpenAPI ? ["--disable-openapi-validation"] : []),
      ...(options.flags.has("--wait") || release.wait ? ["--wait"] : []),
      ...(timeout !== undefined ? ["--timeout", `${timeout}s`] : []),
      ...(release.atomic ? ["--atomic"] : []),
    ]);
    process.stdout.write(result.stdout);
    if (result.status !== 0) {
      failed = true;
      reportFailure(release, result.stderr);
    }
  }
  return failed ? 1 : 0;
}

/** helm-diff's view of one release: printed under its header; {changed, error}. */
function diffRelease(release) {
  // helmfile prints this through its logger; FAKE_HELMFILE_HEADERS=stderr sends it there.
  const header = `Comparing release=${release.name}, chart=${release.chart}, namespace=${release.namespace}\n`;
  if (process.env.FAKE_HELMFILE_HEADERS === "stderr") process.stderr.write(header);
  else process.stdout.write(header);
  const stored = helm(["get", "manifest", release.name, "--namespace", release.namespace]);
  const exists = stored.status === 0;
  if (!exists && !/not found/.test(stored.stderr)) return { changed: false, error: stored.stderr };
  const old = exists ? objects(stored.stdout, release.namespace) : new Map();
  if (!release.installed) {
    for (const [key, object] of old) printObject(release, key, object, "has been removed", "-");
    return { changed: old.size > 0 };
  }
  const rendered = helmTemplate(release);
  if (rendered.status !== 0) return { changed: false, error: rendered.stderr };
  const desired = objects(rendered.stdout, release.namespace);
  const threeWay = process.env.HELM_DIFF_THREE_WAY_MERGE === "true" || options.flags.has("--three-way-merge");
  let changed = false;
  for (const [key, object] of desired) {
    const before = old.get(key);
    if (!before) {
      printObject(release, key, object, "has been added", "+");
      changed = true;
      continue;
    }
    const lines = lineDiff(stringify(before).split("\n"), stringify(object).split("\n"));
    const live = threeWay && lines.length === 0 ? liveDrift(object, release) : [];
    if (lines.length + live.length === 0) continue;
    changed = true;
    process.stdout.write(`${heading(key, release)} has changed:\n`);
    const all = [...lines, ...live];
    if (object.kind === "Secret" && options.flags.has("--suppress-secrets")) {
      process.stdout.write("+ Changes suppressed on sensitive content of type Secret\n");
    } else process.stdout.write(all.join("\n") + "\n");
  }
  for (const [key, object] of old) {
    if (!desired.has(key)) {
      printObject(release, key, object, "has been removed", "-");
      changed = true;
    }
  }
  return { changed };
}

function printObject(release, key, object, verb, sign) {
  process.stdout.write(`${heading(key, release)} ${verb}:\n`);
  if (object.kind === "Secret" && options.flags.has("--suppress-secrets")) {
    process.stdout.write(`${sign} Changes suppressed on sensitive content of type Secret\n`);
    return;
  }
  for (const line of stringify(object).trimEnd().split("\n")) process.stdout.write(`${sign} ${line}\n`);
}

function heading(key, release) {
  const [kind, name] = key.split("/");
  return `${release.namespace}, ${name}, ${kind}`;
}

/** Every leaf of the desired object that the live object does not hold (someone edited it). */
function liveDrift(object, release) {
  const result = spawnSync(
    "kubectl",
    [
      ...(options.kubeContext ? ["--context", options.kubeContext] : []),
      "get",
      object.kind.toLowerCase(),
      object.metadata.name,
      "--namespace",
      release.namespace,
      "--output",
      "json",
    ],
    { encoding: "utf8" },
  );
  if (result.status !== 0) return [];
  const live = JSON.parse(result.stdout);
  const lines = [];
  compareLeaves(asStored(object), live, "", lines);
  return lines;
}

/** What the API server keeps of an object: a Secret's stringData is folded into data, base64. */
function asStored(object) {
  if (object.kind !== "Secret" || !object.stringData) return object;
  const { stringData, ...rest } = object;
  const encoded = Object.fromEntries(
    Object.entries(stringData).map(([key, value]) => [key, Buffer.from(String(value)).toString("base64")]),
  );
  return { ...rest, data: { ...rest.data, ...encoded } };
}

function compareLeaves(desired, live, at, lines) {
  if (desired !== null && typeof desired === "object") {
    for (const [key, value] of Object.entries(desired)) {
      compareLeaves(value, live?.[key], `${at}.${key}`, lines);
    }
    return;
  }
  if (String(desired) !== String(live)) {
    lines.push(`- ${at.slice(1)}: ${JSON.stringify(live ?? null)}`);
    lines.push(`+ ${at.slice(1)}: ${JSON.stringify(desired)}`);
  }
}

function lineDiff(before, after) {
  const removed = before.filter((line) => !after.includes(line)).map((line) => `- ${line}`);
  const added = after.filter((line) => !before.includes(line)).map((line) => `+ ${line}`);
  return [...removed, ...added];
}

function objects(manifest, namespace) {
  const map = new Map();
  for (const document of parseAllDocuments(manifest)) {
    const object = document.toJS();
    if (!object || !object.kind) continue;
    object.metadata = { ...object.metadata, namespace: object.metadata?.namespace ?? namespace };
    map.set(`${object.kind}/${object.metadata.name}`, object);
  }
  return map;
}

function chartPath(release) {
  return path.resolve(release.baseDir, release.chart);
}

function valuesArgs(release) {
  const args = [];
  for (const values of release.values) {
    if (typeof values === "string") args.push("--values", path.resolve(release.baseDir, values));
    else
      for (const [key, value] of Object.entries(values))
        args.push("--set-json", `${key}=${JSON.stringify(value)}`);
  }
  for (const { name, value } of release.set) args.push("--set", `${name}=${value}`);
  return args;
}

function helmTemplate(release) {
  return helm([
    "template",
    release.name,
    chartPath(release),
    "--namespace",
    release.namespace,
    ...valuesArgs(release),
  ]);
}

function helm(args) {
  const result = spawnSync(
    "helm",
    [...args, ...(options.kubeContext ? ["--kube-context", options.kubeContext] : [])],
    {
      encoding: "utf8",
    },
  );
  if (result.error) fail(`helm could not be started: ${result.error.message}`);
  return result;
}

function reportFailure(release, stderr) {
  process.stderr.write(
    `in ${release.display}: failed processing release ${release.name}: command "helm" exited with non-zero status:\n\nSTDERR:\n` +
      stderr
        .trim()
        .split("\n")
        .map((line) => `  ${line}\n`)
        .join(""),
  );
}

function matchesSelectors(release) {
  if (options.selectors.length === 0) return true;
  const fields = {
    ...release.labels,
    name: release.name,
    namespace: release.namespace,
    chart: release.chart,
  };
  return options.selectors.some((selector) =>
    selector.split(",").every((term) => {
      const negated = term.includes("!=");
      const [key, value] = term.split(negated ? "!=" : "=");
      return negated ? fields[key] !== value : fields[key] === value;
    }),
  );
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function releasesOf(state, display, baseDir) {
  const defaults = state.helmDefaults ?? {};
  return (state.releases ?? []).map((r) => ({
    display,
    baseDir,

    name: r.name,
    namespace: r.namespace ?? "default",
    chart: r.chart,
    version: r.version ?? "",
    values: r.values ?? [],
    set: r.set ?? [],
    installed: r.installed !== false,
    labels: Object.fromEntries(Object.entries(r.labels ?? {}).map(([k, v]) => [k, String(v)])),
    atomic: r.atomic ?? defaults.atomic ?? false,
    wait: r.wait ?? defaults.wait ?? false,
    timeout: r.timeout ?? defaults.timeout,
    noOpenAPI: r.disableOpenAPIValidation ?? defaults.disableOpenAPIValidation ?? false,
  }));
}
