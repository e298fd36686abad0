/**
 * What the target contract suite (test/integration/target-contract.test.ts) needs to know of a
 * target type to run the same scenarios over it. One file per target type in ./harnesses/ exports
 * one as default; the suite finds them there, so adding a target's harness is adding that file.
 */
import type { ItemKind } from "../../src/model/changeset.js";

export interface TargetHarness {
  /** The `type` in croncd.yaml. */
  type: string;
  /** How the target's items are named in reports and on the command line (`--stack`, `--release`). */
  itemKind: ItemKind;
  /** Where the scenarios run, when not where they usually do (shown in the suite's name). */
  description?: string;
  /** Before the scenarios (start a stand-in server, put a fake program on PATH...). */
  setUp?: () => Promise<void>;
  /** After them: remove every live item the scenarios made, and whatever setUp started. */
  tearDown: () => Promise<void>;
  /** A name for an item no other test uses, for `label`. */
  itemName: (label: string) => string;
  /**
   * The target's croncd.yaml entry, beyond name, type, source and the prune settings: where the
   * target deploys (the test Swarm, the stand-in cluster) and where git declares its items.
   */
  targetFields: () => Record<string, unknown>;
  /** Environment croncd needs for this target (a kube context, PATH with a fake program...). */
  env?: () => Record<string, string>;
  /** Files git holds whatever items it declares (the folder a target reads must exist when empty). */
  baseFiles: () => Record<string, string>;
  /** The repository paths that declare `name`; deleting them makes the item leave git. */
  itemPaths: (name: string) => string[];
  /** Files that declare a valid item; `version` changes its desired state. */
  itemFiles: (name: string, version: number) => Record<string, string>;
  /** Files that declare an item that cannot be rendered (the desired state is then incomplete). */
  unrenderableItemFiles: (name: string) => Record<string, string>;
  /** Files that declare an item that renders but fails to deploy. */
  undeployableItemFiles: (name: string) => Record<string, string>;
  /** Creates a live item of that name that croncd did not deploy. */
  createUnownedItem: (name: string) => Promise<void>;
  /**
   * The live items among `names`, each with the version it runs (undefined when it carries none,
   * as an item croncd did not make).
   */
  liveVersions: (names: readonly string[]) => Promise<Map<string, number | undefined>>;
  /** The target's lock in the live system (src/lock/), as the scenarios' croncd.yaml names it. */
  lock: {
    /** Writes the lock as another run holding it until `expiresAt` would have. */
    holdAsAnotherRun: (holder: string, expiresAt: Date) => Promise<void>;
    /** Who holds it now; undefined when there is no lock. */
    holder: () => Promise<string | undefined>;
    remove: () => Promise<void>;
  };
}
