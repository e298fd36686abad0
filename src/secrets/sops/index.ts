/**
 * The pure sops layer: parse any sops file, decrypt it with its data key, verify the MAC and print
 * the plaintext in the file's own format. Where the data key comes from is `../keys/`.
 */
export { formatFromPath, type SopsFormat } from "./format.js";
export type { AgeStanza, PgpStanza, SopsMetadata } from "./metadata.js";
export {
  decryptDocument,
  isSopsFile,
  parseSopsFile,
  type DecryptedSops,
  type SopsDocument,
} from "./document.js";
