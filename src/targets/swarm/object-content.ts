/**
 * The content of a Swarm config or secret, kept in memory until croncd creates the object. It may
 * be a decrypted sops file, so it is held where it cannot reach a log, a report or a file by
 * accident: printing or serialising it shows a placeholder, and only `base64()` hands it out, in
 * the form the Engine API takes.
 */
const SHOWN_AS = "<object content>";

export class ObjectContent {
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** Base64, as the Engine API takes a config's or secret's Data. */
  base64(): string {
    return Buffer.from(this.#bytes).toString("base64");
  }

  toJSON(): string {
    return SHOWN_AS;
  }

  toString(): string {
    return SHOWN_AS;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return SHOWN_AS;
  }
}
