// Values the global setup (test/helpers/global-setup.ts) hands to test files via `inject()`.
// The import makes this file a module, so the block below augments vitest's types instead of
// replacing them.
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** DOCKER_HOST of the Docker Swarm manager the tests use, e.g. `unix:///tmp/croncd-d-AbC123/docker.sock`. */
    dockerHost: string;
    /** True when the global setup started that daemon itself; false when CRONCD_TEST_DOCKER_HOST named one. */
    dockerHostIsPrivate: boolean;
  }
}
