// Moving tags in the plan: pure, given what the registry answered (tag-digests.ts asks it).
import { describe, expect, it } from "vitest";
import { LABELS, MANAGED_BY_VALUE } from "../../../src/targets/swarm/labels.js";
import type { DesiredStack, LiveStack } from "../../../src/targets/swarm/model.js";
import { planStacks } from "../../../src/targets/swarm/plan.js";
import type { TagLookup } from "../../../src/registry/tag-digests.js";

const SOURCE = "https://git.example.com/platform/stacks.git";
const IMAGE = "registry.example.com/team/app:latest";
const OLD = `sha256:${"a".repeat(64)}`;
const NEW = `sha256:${"b".repeat(64)}`;

function desired(followTags?: boolean): DesiredStack {
  return {
    name: "web",
    dir: "/checkout/stacks/web",
    composeFile: "stacks/web/compose.yaml",
    document: { services: { app: { image: IMAGE }, worker: { image: IMAGE } } },
    yaml: "",
    objects: [],
    hash: "same",
    options: {
      prune: true,
      adopt: false,
      dependsOn: [],
      timeoutSeconds: 300,
      stableForSeconds: 5,
      suspend: false,
      ...(followTags === undefined ? {} : { followTags }),
    },
    serviceNames: ["app", "worker"],
    revisionedObjects: 0,
    warnings: [],
  };
}

function running(digest: string): LiveStack {
  return {
    name: "web",
    services: ["app", "worker"].map((service) => ({
      id: service,
      name: `web_${service}`,
      stack: "web",
      labels: {
        [LABELS.managedBy]: MANAGED_BY_VALUE,
        [LABELS.target]: "prod",
        [LABELS.source]: SOURCE,
        [LABELS.desiredHash]: "same",
      },
      spec: { TaskTemplate: { ContainerSpec: { Image: `${IMAGE}@${digest}` } } },
    })),
  };
}

function planWith(stack: DesiredStack, lookups: Map<string, TagLookup>, targetFollows = false) {
  const [item] = planStacks({
    target: { name: "prod", prune: false, allowEmpty: false, maxPrune: 3, followTags: targetFollows },
    sourceUrl: SOURCE,
    desired: [stack],
    live: new Map([["web", running(OLD)]]),
    diff: () => [],
    tagLookups: lookups,
  });
  return { action: item?.action, reason: item?.reason, drift: item?.drift };
}

describe("moving tags in the plan", () => {
  it("updates a stack whose followed tag now names another digest, naming both, once per image, not as drift", () => {
    expect(planWith(desired(true), new Map([[IMAGE, { digest: NEW }]]))).toEqual({
      action: "update",
      reason: `image updated: ${IMAGE} ${OLD} → ${NEW}`,
      drift: undefined,
    });
  });

  it("follows tags when the target says so and the stack does not say otherwise", () => {
    const lookups = new Map([[IMAGE, { digest: NEW }]]);
    expect(planWith(desired(), lookups, true).action).toBe("update");
    expect(planWith(desired(false), lookups, true).action).toBe("unchanged");
  });

  it("leaves a stack that does not follow tags as it is, whatever the registry says", () => {
    expect(planWith(desired(), new Map([[IMAGE, { digest: NEW }]])).action).toBe("unchanged");
  });

  it("keeps a stack whose tag still names the deployed digest unchanged", () => {
    expect(planWith(desired(true), new Map([[IMAGE, { digest: OLD }]])).action).toBe("unchanged");
  });

  it("refuses to touch a stack whose tag could not be checked, with the registry's answer", () => {
    const result = planWith(
      desired(true),
      new Map([[IMAGE, { error: "registry.example.com: could not connect (ECONNREFUSED)" }]]),
    );
    expect(result.action).toBe("refuse");
    expect(result.reason).toBe(
      "image check failed, not redeployed: registry.example.com: could not connect (ECONNREFUSED)",
    );
    expect(result.drift).toBeUndefined();
  });
});
