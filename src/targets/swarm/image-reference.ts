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
