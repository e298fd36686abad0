// The benchmark's registry is the tests' one (test/helpers/registry/), plain HTTP on 127.0.0.1.
export { startLocalRegistry } from "../test/helpers/registry/local-registry.js";
export type { LocalRegistry, RegistryRequests } from "../test/helpers/registry/local-registry.js";
