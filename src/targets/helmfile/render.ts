/**
 * What git declares for a Helmfile target: the releases `helmfile list` names, each with the hash
 * of its inputs, and each installed one rendered once with `helmfile template`, so that a release
 * whose chart or values are broken is a render failure of that release — the desired state is then
 * incomplete and nothing is pruned, exactly as for a stack that does not render.
 */
import path from "node:path";
import { RenderError } from "../../errors.js";
import type { ChangeSetEntry } from "../../model/changeset.js";
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
    failure: (key: string, reason: string) => ChangeSetEntry;
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
  const hashes = await releaseHashes(declared, {
    checkout: context.checkout,
    helmfile: context.located.relative,
    environment: context.environment,
    encrypted: context.overlay.encrypted,
  });
  const outcomes = await mapConcurrently(declared, TEMPLATE_CONCURRENCY, async (release) => {
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
    failures: outcomes.flatMap((outcome) =>
      "failure" in outcome && outcome.failure ? [outcome.failure] : [],
    ),
  };
}
