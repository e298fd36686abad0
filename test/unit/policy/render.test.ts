// The policy is judged on the rendered stack (after interpolation and .env), and a violation's
// message never shows a value that came from a secret variable.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { locationOf } from "../../../src/errors.js";
import { policySchema } from "../../../src/targets/policy-schema.js";
import { renderShop } from "../swarm/render-shop.js";

const policy = policySchema.parse({ images: { registries: ["registry.example.com/shop"] } });

describe("tenant policy at render time", () => {
  let repo: string;

  beforeEach(async () => {
    repo = await mkdtemp(path.join(tmpdir(), "croncd-policy-render-"));
  });

  afterEach(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  const failure = (files: Record<string, string>, overrides: Parameters<typeof renderShop>[2]) =>
    renderShop(repo, files, overrides).then(
      () => {
        throw new Error("rendered without error");
      },
      (error: unknown) => error as Error,
    );

  it("judges the interpolated value, and names it when it is not a secret", async () => {
    const error = await failure(
      { "compose.yaml": "services:\n  web:\n    image: ${IMAGE}\n", ".env": "IMAGE=nginx:1.27\n" },
      { policy },
    );
    expect(error.message).toContain(
      "stacks/shop/compose.yaml:3: services.web.image: policy.images: docker.io/library/nginx is not from an allowed registry",
    );
    expect(locationOf(error)).toEqual({ file: "stacks/shop/compose.yaml", line: 3 });
  });

  it("passes a stack whose interpolated image is allowed", async () => {
    const rendered = await renderShop(
      repo,
      {
        "compose.yaml": "services:\n  web:\n    image: ${IMAGE}\n",
        ".env": "IMAGE=registry.example.com/shop/web:2\n",
      },
      { policy },
    );
    expect(rendered.serviceNames).toEqual(["web"]);
  });

  it("does not show a value that came from a secret variable, even normalised", async () => {
    const secretImage = "mirror.internal.example/team-x/web:9";
    const error = await failure(
      { "compose.yaml": "services:\n  web:\n    image: ${PRIVATE_IMAGE}\n" },
      { policy, allowedEnv: { PRIVATE_IMAGE: secretImage }, secretEnvNames: ["PRIVATE_IMAGE"] },
    );
    expect(error.message).toContain(
      "services.web.image: policy.images: the value, from a secret variable, is not allowed here",
    );
    expect(error.message).not.toContain("mirror.internal.example");
  });
});
