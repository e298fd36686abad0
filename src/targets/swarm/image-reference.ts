/**
 * The image reference grammar `docker stack deploy` checks before it creates anything
 * (distribution/reference, as docker/cli applies it): `[host[:port]/]path[:tag][@digest]`, path
 * components in lowercase, or a bare 64-hex image ID.
 */

const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const HOST_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const HOST = `(?:${HOST_COMPONENT}(?:\\.${HOST_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const NAME = `(?:${HOST}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const REFERENCE = new RegExp(`^(${NAME})(?::${TAG})?(?:@${DIGEST})?$`);
const IMAGE_ID = /^[a-f0-9]{64}$/;
const NAME_LIMIT = 255;

export function isValidImageReference(image: string): boolean {
  if (IMAGE_ID.test(image)) return true;
  const name = REFERENCE.exec(image)?.[1];
  return name !== undefined && name.length <= NAME_LIMIT;
}

export interface ImageReference {
  /** The repository in docker's full form: `docker.io/library/nginx`, `registry.example.com:5000/team/app`. */
  name: string;
  tag?: string;
  /** `sha256:…` when the reference is pinned by digest. */
  digest?: string;
}

const PARTS = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);

/**
 * A reference split and normalised the way docker does before it pulls (distribution/reference's
 * ParseNormalizedNamed): no registry host means Docker Hub, and a one-component Hub name lives in
 * `library/`. Undefined for what docker would not accept (and for bare image IDs, which name no
 * registry at all).
 */
export function parseImageReference(image: string): ImageReference | undefined {
  const match = PARTS.exec(image);
  const name = match?.[1];
  if (!match || name === undefined || name.length > NAME_LIMIT) return undefined;
  return {
    name: normaliseRepositoryName(name),
    ...(match[2] ? { tag: match[2] } : {}),
    ...(match[3] ? { digest: match[3] } : {}),
  };
}

/** Whether the first component of a name is a registry host, as docker decides it. */
export function isRegistryHost(component: string): boolean {
  return /[.:]/.test(component) || component === "localhost" || component !== component.toLowerCase();
}

export function normaliseRepositoryName(name: string): string {
  const slash = name.indexOf("/");
  const first = slash === -1 ? "" : name.slice(0, slash);
  let domain = "docker.io";
  let remainder = name;
  if (slash !== -1 && isRegistryHost(first)) {
    domain = first === "index.docker.io" ? "docker.io" : first;
    remainder = name.slice(slash + 1);
  }
  if (domain === "docker.io" && !remainder.includes("/")) remainder = `library/${remainder}`;
  return `${domain}/${remainder}`;
}
