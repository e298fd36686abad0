// Published ports Swarm refuses at create time although docker's reader accepts them: one ingress
// port for two services of the stack, and an ingress port with endpoint_mode: dnsrr.
import { describe, expect, it } from "vitest";
import { swarmRuleIssues } from "../../../src/targets/swarm/swarm-rules.js";

const check = (services: Record<string, unknown>) => swarmRuleIssues({ services }, "shop");
const web = (fields: Record<string, unknown>) => ({ image: "nginx", ...fields });

describe("one ingress port, two services", () => {
  it.each([
    ["short syntax", ["8080:80"], ["8080:8080"]],
    ["an address and a range", ["127.0.0.1:8079-8081:80-82"], ["8080:80"]],
    ["long syntax", [{ target: 80, published: 8080 }], ["8080:80/tcp"]],
  ])("refuses the second publisher (%s), naming the first", (_, first, second) => {
    expect(check({ a: web({ ports: first }), b: web({ ports: second }) })).toEqual([
      {
        path: ["services", "b", "ports", 0],
        message: expect.stringMatching(
          /^port 8080\/tcp is already published by service a: Swarm refuses/,
        ) as string,
      },
    ]);
  });

  it.each([
    ["other protocols", ["53:53/udp"], ["53:53/tcp"]],
    ["host mode", [{ target: 80, published: 8080, mode: "host" }], ["8080:80"]],
    ["unpublished targets", ["80"], ["80"]],
    ["other ports", ["8080:80"], ["8081:80"]],
  ])("accepts %s", (_, first, second) => {
    expect(check({ a: web({ ports: first }), b: web({ ports: second }) })).toEqual([]);
  });
});

describe("endpoint_mode: dnsrr", () => {
  it("refuses an ingress port, pointing at mode: host", () => {
    const issues = check({ a: web({ ports: ["8080:80"], deploy: { endpoint_mode: "dnsrr" } }) });
    expect(issues).toEqual([
      {
        path: ["services", "a", "ports", 0],
        message: expect.stringContaining("endpoint_mode: dnsrr; publish it with mode: host") as string,
      },
    ]);
  });

  it("accepts a port published in host mode", () => {
    const ports = [{ target: 80, published: 8080, mode: "host" }];
    expect(check({ a: web({ ports, deploy: { endpoint_mode: "dnsrr" } }) })).toEqual([]);
  });
});
