/**
 * docker's readings of resource sizes, so a cap compares what Swarm will enforce: memory as
 * go-units' RAMInBytes (binary multiples, `512m` = `512M` = `512MiB`, `1.5g`), CPUs as the
 * decimal number docker turns into NanoCPUs (`"0.5"`, `2`).
 */

const MULTIPLIERS: Readonly<Record<string, number>> = {
  "": 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

/** Bytes, or undefined when docker would refuse the size as well. */
export function memoryBytes(size: unknown): number | undefined {
  if (typeof size === "number") return Number.isFinite(size) && size >= 0 ? size : undefined;
  if (typeof size !== "string") return undefined;
  const match = /^(\d+(?:\.\d+)?) ?([kmgtp]?)i?b?$/i.exec(size.trim());
  if (!match) return undefined;
  return Math.floor(Number(match[1]) * (MULTIPLIERS[(match[2] ?? "").toLowerCase()] ?? 1));
}

export function cpuCount(cpus: unknown): number | undefined {
  const value =
    typeof cpus === "number"
      ? cpus
      : typeof cpus === "string" && /^\s*\d+(\.\d+)?\s*$/.test(cpus)
        ? Number(cpus)
        : NaN;
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}
