/** The run modes sharing one pipeline; each stops at a different stage. */
export type RunMode = "reconcile" | "plan" | "validate" | "render";

/** Modes that never touch the deployment target. */
export const OFFLINE_MODES: readonly RunMode[] = ["validate", "render"];
