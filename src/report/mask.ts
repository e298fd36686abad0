/**
 * Every secret value croncd learns (tokens, decrypted values) is registered here, and every line
 * that leaves the process — log, report, error — passes through `mask`.
 */
export const MASK = "***";

/** X25519 and post-quantum age identities (Bech32 upper case). */
const AGE_IDENTITY = /AGE-SECRET-KEY-(?:PQ-)?1[0-9A-Z]+/g;

export class SecretMasker {
  private readonly secrets = new Set<string>();
  /** The secrets longest first, so a secret that contains another is hidden whole; rebuilt on add. */
  private longestFirst: string[] | undefined;
  private readonly listeners: ((value: string) => void)[] = [];

  /** Tells `listener` about every secret added from now on (GitHub's own masking). */
  onAdd(listener: (value: string) => void): void {
    this.listeners.push(listener);
  }

  add(value: string | undefined): void {
    // Values under three characters would mask ordinary words and make logs unreadable.
    if (!value || value.length < 3 || this.secrets.has(value)) return;
    this.secrets.add(value);
    this.longestFirst = undefined;
    for (const listener of this.listeners) listener(value);
    // A multi-line secret (a PEM key) can surface one line at a time, in an error message say.
    if (/[\r\n]/.test(value)) for (const line of value.split(/\r?\n/)) this.add(line.trim());
    // Rendered compose files double every `$` (so docker does not interpolate again): mask that
    // spelling too.
    if (value.includes("$")) this.secrets.add(value.replaceAll("$", "$$$$"));
    this.longestFirst = undefined;
  }

  mask(text: string): string {
    // age identities are secrets wherever they turn up, known to the masker or not.
    let result = text.replace(AGE_IDENTITY, MASK);
    this.longestFirst ??= [...this.secrets].sort((a, b) => b.length - a.length);
    for (const secret of this.longestFirst) {
      result = result.split(secret).join(MASK);
    }
    return result;
  }

  /** Masks every string in plain data, so a document serialised afterwards stays well-formed. */
  maskValues(value: unknown): unknown {
    if (typeof value === "string") return this.mask(value);
    if (Array.isArray(value)) return value.map((item) => this.maskValues(item));
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.maskValues(item)]));
    }
    return value;
  }
}
