/** Replaced at bundle time with package.json's version; "dev" when run from source. */
declare const __CRONCD_VERSION__: string | undefined;
export const VERSION: string = typeof __CRONCD_VERSION__ === "string" ? __CRONCD_VERSION__ : "dev";
