/**
 * What git declares for a Helmfile target: the releases `helmfile list` names, each with the hash
 * of its inputs, and each installed one rendered once with `helmfile template`, so that a release
 * whose chart or values are broken is a render failure of that release — the desired state is then
 * incomplete and nothing is pruned, exactly as for a stack that does not render.
 */
import path from "node:path";
import { RenderError } from "../../errors.js";
import type { ChangeSetEntry, SourceLocation } from "../../model/changeset.js";
import type { Policy } from "../policy-schema.js";
import { readHelmfileFacts, releaseViolations } from "./policy.js";
import { mapConcurrently } from "../../util/map-concurrently.js";
import { parseHelmfileList } from "./declared.js";
import { releaseHashes } from "./desired-hash.js";
import { helmfileList, helmfileTemplate, type HelmfileInvocation } from "./helmfile-cli.js";
import type { LocatedHelmfile } from "./locate.js";
import { releaseKey, type DesiredRelease } from "./model.js";
import type { Overlay } from "./overlay.js";
import { helmErrorLine } from "./tools.js";

/** Releases templated side by side: each is a helmfile and a helm process that mostly wait. */
export const TEMPLATE_CONCURRENCY = 4;

export interface RenderedReleases {
  items: DesiredRelease[];
  /** Every release key git declares, rendered or not. */
  declared: string[];
  failures: ChangeSetEntry[];
}

export async function renderReleases(
  call: HelmfileInvocation,
  context: {
    checkout: string;
    located: LocatedHelmfile;
    overlay: Overlay;
    environment: string | undefined;
    failure: (key: string, reason: string, location?: SourceLocation) => ChangeSetEntry;
    /** The target's tenant policy: a release that breaks it is a render failure. */
    policy?: Policy;
  },
): Promise<RenderedReleases> {
  const listed = await helmfileList(call);
  if (listed.exitCode !== 0) {
    const said = listed.stderr.trim().split(/\r?\n/).slice(-3).join(" ");
    throw new RenderError(`helmfile list failed: ${said}`, {
      subject: context.located.relative,
      location: { file: context.located.relative },
    });
  }
  const declared = parseHelmfileList(listed.stdout, context.located.relative);
  // Refused releases stay declared (never "left git") and, as failures, keep pruning off.
  const refused = context.policy
    ? releaseViolations(
        declared,
        context.policy,
        await readHelmfileFacts(context.checkout, context.located.relative),
      )
    : [];
  const refusedReleases = new Set(refused.map((violation) => violation.release));
  const hashes = await releaseHashes(declared, {
    checkout: context.checkout,
    helmfile: context.located.relative,
    environment: context.environment,
    encrypted: context.overlay.encrypted,
  });
  const allowed = declared.filter((release) => !refusedReleases.has(release));
  const outcomes = await mapConcurrently(allowed, TEMPLATE_CONCURRENCY, async (release) => {
    const desired: DesiredRelease = {
      name: releaseKey(release),
      release,
      hash: hashes.get(release) as string,
      warnings: [],
    };
    // A release git wants uninstalled has nothing to render.
    if (!release.installed) return { desired };
    const templated = await helmfileTemplate(call, release);
    if (templated.exitCode === 0) return { desired };
    // helm names files in the overlay, a fresh temporary folder each run: said relative to the
    // repository instead, so the message points into git and is the same on every run (alerts).
    const said = helmErrorLine(templated).replaceAll(`${context.overlay.root}${path.sep}`, "");
    return { failure: context.failure(desired.name, `render failed: ${said}`) };
  });
  return {
    items: outcomes.flatMap((outcome) => ("desired" in outcome && outcome.desired ? [outcome.desired] : [])),
    declared: declared.map(releaseKey),
    failures: [
      ...refused.map((violation) =>
        context.failure(
          releaseKey(violation.release),
          `render failed: breaks the target's policy: ${violation.problems.join("; ")}`,
          violation.location,
        ),
      ),
      ...outcomes.flatMap((outcome) => ("failure" in outcome && outcome.failure ? [outcome.failure] : [])),
    ],
  };
}
