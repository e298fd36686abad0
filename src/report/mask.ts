/**
 * Every secret value croncd learns (tokens, decrypted values) is registered here, and every line
 * that leaves the process — log, report, error — passes through `mask`.
 */
export const MASK = "***";

export class SecretMasker {
  private readonly secrets = new Set<string>();

  add(value: string | undefined): void {
    // Very short values would mask ordinary words and make logs unreadable; they are also
    // not worth hiding (sops refuses nothing, but a 1-2 character secret is no secret).
    if (value && value.length >= 3) this.secrets.add(value);
  }

  mask(text: string): string {
    let result = text;
    // Longest first, so a secret that contains another is hidden whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      result = result.split(secret).join(MASK);
    }
    return result;
  }
}
