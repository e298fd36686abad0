// docker's real output (docker CLI 28 against a 20.10 Swarm manager, captured from the test Swarm):
// croncd keeps its error lines, drops its progress and notices, and words a lost create race plainly.
import { describe, expect, it } from "vitest";
import { dockerFailure } from "../../../src/ports/docker.js";
import { dockerMessage, raceLostOn } from "../../../src/ports/docker-message.js";

const DETACH_NOTICE = [
  "Since --detach=false was not specified, tasks will be created in the background.",
  "In a future release, --detach=false will become the default.",
].join("\n");

const failed = (stderr: string, stdout = "") => ({ exitCode: 1, stderr, stdout, notFound: false });

describe("dockerMessage", () => {
  it("keeps the error of a failed stack deploy and drops the notice before it", () => {
    const result = failed(
      `${DETACH_NOTICE}\nfailed to create service scr_app: Error response from daemon: rpc error: code = InvalidArgument desc = port '28399' is already in use by service 'occ' (qy7h98gx2lc45gcg1llnhm37o) as an ingress port`,
      "Creating network scr_default\nCreating secret scr_s\nCreating service scr_app",
    );
    expect(dockerMessage(result)).toBe(
      "failed to create service scr_app: Error response from daemon: rpc error: code = InvalidArgument desc = port '28399' is already in use by service 'occ' (qy7h98gx2lc45gcg1llnhm37o) as an ingress port",
    );
  });

  // Not captured (no registry here): the update line and the digest notice as the CLI's source spells them.
  it("drops update progress and the image-digest notice too", () => {
    const result = failed(
      [
        "Updating service web_app (id: 6b1ugh2k0mixn6j1vsgp2yknm)",
        "image registry.example/app:1 could not be accessed on a registry to record",
        "its digest. Each node will access registry.example/app:1 independently,",
        "possibly leading to different nodes running different",
        "versions of the image.",
        "failed to update service web_app: Error response from daemon: rpc error: code = Unknown desc = update out of sequence",
      ].join("\n"),
    );
    expect(dockerMessage(result)).toBe(
      "failed to update service web_app: Error response from daemon: rpc error: code = Unknown desc = update out of sequence",
    );
  });

  it("shows the notices when they are all there is, and the exit code when nothing was said", () => {
    expect(dockerMessage(failed(DETACH_NOTICE))).toBe(DETACH_NOTICE);
    expect(dockerMessage(failed(""))).toBe("exit code 1");
  });

  it("falls back to stdout when stderr is empty", () => {
    expect(dockerMessage(failed("", "Error: No such service: web_app"))).toBe(
      "Error: No such service: web_app",
    );
  });
});

describe("a create that lost a race", () => {
  const answers: [string, string][] = [
    [
      "service web_app",
      "Error response from daemon: rpc error: code = AlreadyExists desc = name conflicts with an existing object: service web_app already exists",
    ],
    ["network web_default", "Error response from daemon: network with name web_default already exists"],
    [
      "secret web_db-0123456789ab",
      "Error response from daemon: rpc error: code = AlreadyExists desc = secret web_db-0123456789ab already exists",
    ],
    [
      "config web_nginx-0123456789ab",
      "Error response from daemon: rpc error: code = AlreadyExists desc = config web_nginx-0123456789ab already exists",
    ],
    [
      "network web_default",
      `${DETACH_NOTICE}\nfailed to create network web_default: Error response from daemon: network with name web_default already exists`,
    ],
    [
      "service web_app",
      `${DETACH_NOTICE}\nfailed to create service web_app: Error response from daemon: rpc error: code = AlreadyExists desc = name conflicts with an existing object: service web_app already exists`,
    ],
  ];

  it.each(answers)("names %s", (object, stderr) => {
    expect(raceLostOn(dockerMessage(failed(stderr)))).toBe(object);
    const error = dockerFailure(failed(stderr), "stack web: deploy failed");
    expect(error.message).toBe(
      `stack web: deploy failed: another run (or person) created ${object} at the same time, or it exists outside the stack (let one croncd run per target at a time: resource_group in GitLab CI, concurrency in GitHub Actions; the next run picks up from here. If every run says so, ${object} was made outside the stack (without its com.docker.stack.namespace label): remove or rename it)`,
    );
    expect(error.message).not.toContain("rpc error");
  });

  it("leaves other failures to docker's own words", () => {
    expect(raceLostOn("Error response from daemon: network web_default not found")).toBeUndefined();
  });
});
