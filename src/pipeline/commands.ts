/** The run modes sharing one pipeline; each stops at a different stage. */
export type RunMode = "reconcile" | "plan" | "validate" | "render";
