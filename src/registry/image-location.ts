/**
 * Where a tagged image lives in a registry's HTTP API: the host whose credentials apply, the API's
 * base URL and the repository and tag a manifest request names. Docker Hub is `docker.io` to the
 * docker CLI (and its config file) but `registry-1.docker.io` on the wire.
 */
export interface ImageLocation {
  /** The registry as docker names it: `registry.example.com:5000`, `docker.io`. */
  registry: string;
  /** `https://registry.example.com:5000`: croncd speaks HTTPS only to registries. */
  apiBase: string;
  repository: string;
  tag: string;
}

const DOCKER_HUB_API = "https://registry-1.docker.io";

/** Undefined for a reference pinned by digest (nothing can move) or one docker could not read. */
export function locateTaggedImage(reference: string): ImageLocation | undefined {
  if (reference.includes("@") || reference === "") return undefined;
  const colon = reference.lastIndexOf(":");
  const hasTag = colon > reference.lastIndexOf("/");
  const name = hasTag ? reference.slice(0, colon) : reference;
  const { domain, path } = splitDockerDomain(name);
  if (path === "" || path !== path.toLowerCase()) return undefined;
  return {
    registry: domain,
    apiBase: domain === "docker.io" ? DOCKER_HUB_API : `https://${domain}`,
    repository: path,
    tag: hasTag ? reference.slice(colon + 1) : "latest",
  };
}

/**
 * distribution/reference splitDockerDomain, for a reference without tag or digest: a first
 * component with a dot or a colon, `localhost`, or any upper-case letter is a registry host;
 * anything else is a Docker Hub repository (`library/` for a single component).
 */
export function splitDockerDomain(name: string): { domain: string; path: string } {
  const slash = name.indexOf("/");
  const first = slash === -1 ? "" : name.slice(0, slash);
  const hasDomain =
    slash !== -1 && (/[.:]/.test(first) || first === "localhost" || first.toLowerCase() !== first);
  let domain = hasDomain ? first : "docker.io";
  let path = hasDomain ? name.slice(slash + 1) : name;
  if (domain === "index.docker.io") domain = "docker.io";
  if (domain === "docker.io" && !path.includes("/")) path = `library/${path}`;
  return { domain, path };
}
