// Names the test files rely on. They live apart from the Swarm machinery so that importing them (as
// test/helpers/docker.ts does, through global-setup.ts) pulls in nothing else.

/** Image every test stack can run: busybox applets, `sleep 3600` by default, stops with SIGKILL. */
export const TEST_IMAGE = "croncd-test/busybox:1";
/** Same rootfs plus `/VERSION` (containing `2`), so tests can change a service's image. */
export const TEST_IMAGE_V2 = "croncd-test/busybox:2";
/**
 * Stack names created by tests should start with this (see `uniqueStackName` in docker.ts); against a
 * daemon named by CRONCD_TEST_DOCKER_HOST the teardown removes only stacks with this prefix.
 */
export const TEST_STACK_PREFIX = "croncdt-";
