import { describe, expect, it } from "vitest";
import {
  formatBytes,
  formatPort,
  joinShellWords,
  normaliseImage,
  parseMemoryBytes,
  parseNanoCpus,
  parsePorts,
  splitShellWords,
} from "../../../src/targets/swarm/service-spec-values.js";

describe("splitShellWords (docker/cli's shlex split of command/entrypoint strings)", () => {
  it.each([
    ["sleep 3600", ["sleep", "3600"]],
    ["  sleep\t3600\n", ["sleep", "3600"]],
    [`sh -c 'echo "hi there"'`, ["sh", "-c", 'echo "hi there"']],
    [`echo "a \\"b\\" c"`, ["echo", 'a "b" c']],
    ["echo a\\ b", ["echo", "a b"]],
    ["echo 'it''s'", ["echo", "its"]],
    [`echo "" ''`, ["echo", "", ""]],
    ["echo a#b # a comment\nnext line", ["echo", "a#b", "next", "line"]],
    ["# only a comment", []],
    ["", []],
    ["echo $HOME ${X}", ["echo", "$HOME", "${X}"]],
  ])("%j", (text, words) => {
    expect(splitShellWords(text)).toEqual(words);
  });

  it.each(["echo 'unclosed", 'echo "unclosed', "trailing \\"])("%j cannot be split", (text) => {
    expect(splitShellWords(text)).toBeUndefined();
  });

  it("joins words back for a person, quoting where needed", () => {
    expect(joinShellWords(["sh", "-c", "echo it's"])).toBe(`sh -c 'echo it'\\''s'`);
    expect(joinShellWords(["sleep", "3600", ""])).toBe("sleep 3600 ''");
  });
});

describe("normaliseImage (the docker client's familiar name with a default tag)", () => {
  it.each([
    ["nginx", "nginx:latest"],
    ["nginx:1.27", "nginx:1.27"],
    ["library/nginx", "nginx:latest"],
    ["docker.io/library/nginx:1.27", "nginx:1.27"],
    ["index.docker.io/library/nginx", "nginx:latest"],
    ["docker.io/croncd-test/busybox:1", "croncd-test/busybox:1"],
    ["registry.example.com:5000/team/app", "registry.example.com:5000/team/app:latest"],
    ["localhost/app:1", "localhost/app:1"],
    ["localhost:5000/app", "localhost:5000/app:latest"],
    ["ghcr.io/org/tool:v2", "ghcr.io/org/tool:v2"],
  ])("%s → %s", (reference, name) => {
    expect(normaliseImage(reference)).toEqual({ name });
  });

  it("keeps a digest apart, and adds no tag to a reference pinned by digest only", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    expect(normaliseImage(`nginx:1.27@${digest}`)).toEqual({ name: "nginx:1.27", digest });
    expect(normaliseImage(`docker.io/library/nginx@${digest}`)).toEqual({ name: "nginx", digest });
  });

  it("keeps a reference docker cannot parse as it is", () => {
    expect(normaliseImage("Not/Valid")).toEqual({ name: "Not/Valid" });
  });
});

describe("resource values (go-units RAMInBytes, opts.ParseCPUs)", () => {
  it.each([
    [1048576, 1048576],
    ["1024", 1024],
    ["64M", 64 * 1024 ** 2],
    ["64m", 64 * 1024 ** 2],
    ["64mb", 64 * 1024 ** 2],
    ["64MiB", 64 * 1024 ** 2],
    ["1.5g", 1.5 * 1024 ** 3],
    ["2048k", 2 * 1024 ** 2],
    ["100b", 100],
    ["1 g", 1024 ** 3],
  ])("memory %j is %d bytes", (value, bytes) => {
    expect(parseMemoryBytes(value)).toBe(bytes);
  });

  it.each(["64x", "64mbb", "lots", "-1"])("memory %j is rejected", (value) => {
    expect(parseMemoryBytes(value)).toBeUndefined();
  });

  it.each([
    ["0.25", 250_000_000],
    [0.5, 500_000_000],
    ["2", 2_000_000_000],
    [".001", 1_000_000],
  ])("cpus %j is %d nano-CPUs", (value, nano) => {
    expect(parseNanoCpus(value)).toBe(nano);
  });

  it("shows bytes in binary units", () => {
    expect(formatBytes(64 * 1024 ** 2)).toBe("64MiB");
    expect(formatBytes(1.5 * 1024 ** 3)).toBe("1.5GiB");
    expect(formatBytes(1000)).toBe("1000 bytes");
  });
});

describe("parsePorts (compose ports → Swarm port configs)", () => {
  const shown = (entries: unknown[]) => parsePorts(entries).ports.map(formatPort);

  it("reads the short syntax the way nat.ParsePortSpec does", () => {
    expect(shown(["8080:80"])).toEqual(["8080:80/tcp"]);
    expect(shown(["80"])).toEqual(["80/tcp"]);
    expect(shown([80])).toEqual(["80/tcp"]);
    expect(shown(["53:53/UDP"])).toEqual(["53:53/udp"]);
    expect(shown(["127.0.0.1:8080:80"])).toEqual(["8080:80/tcp"]);
    expect(shown(["[::1]:8080:80"])).toEqual(["8080:80/tcp"]);
    expect(shown(["8000-8001:80-81"])).toEqual(["8000:80/tcp", "8001:81/tcp"]);
    expect(shown(["8000-8002:80"])).toEqual(["8000:80/tcp", "8001:80/tcp", "8002:80/tcp"]);
    expect(shown(["80-81"])).toEqual(["80/tcp", "81/tcp"]);
  });

  it("fills Swarm's defaults into the long syntax", () => {
    expect(shown([{ target: 80, published: 8080 }])).toEqual(["8080:80/tcp"]);
    expect(shown([{ target: 80, published: "8080", protocol: "udp", mode: "host" }])).toEqual([
      "8080:80/udp (host)",
    ]);
    expect(shown([{ target: 80 }])).toEqual(["80/tcp"]);
  });

  it("keeps what docker would reject as written", () => {
    expect(parsePorts(["8000-8001:80-82", "x:80", "80/icmp"]).invalid).toEqual([
      "8000-8001:80-82",
      "x:80",
      "80/icmp",
    ]);
  });
});
