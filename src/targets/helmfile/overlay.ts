/**
 * helmfile must read decrypted values, but nothing decrypted may land in the checkout (a later
 * `git status`, a cache or an artifact upload would carry it away) and helm-secrets is not used.
 * So helmfile runs in an overlay of the checkout inside the run's private 0700 workspace: real
 * folders, every file a symlink to the checkout, except the sops-encrypted files (detected by
 * content, as for stacks) of the helmfile's folder, which croncd's own sops code decrypts into 0600
 * files at the same relative path. The whole checkout is mirrored so that `../charts/x` resolves. The workspace is removed on every exit path, taking the plaintext with it.
 */
import { constants } from "node:fs";
import { lstat, mkdir, open, readdir, readFile, readlink, symlink } from "node:fs/promises";
import path from "node:path";
import { decryptSopsFile } from "../../secrets/decrypt-file.js";
import { formatFromPath, isSopsFile } from "../../secrets/sops/index.js";
import { sha256Hex } from "../../util/hash.js";

export interface OverlayOptions {
  checkout: string;
  /** An empty folder inside the private workspace. */
  into: string;
  /**
   * The checkout-relative folder whose sops files are decrypted (the helmfile's). Sops files
   * elsewhere in the repository may be another tenant's or target's, for keys this job lacks:
   * they are linked as they are, never opened.
   */
  decryptUnder: string;
  /** Where sops keys come from. */
  env: NodeJS.ProcessEnv;
  onSecrets: (values: readonly string[]) => void;
}

export interface Overlay {
  root: string;
  /** Checkout-relative path → SHA-256 of its ciphertext, for every sops file decrypted. */
  encrypted: Map<string, string>;
}

/** Folders never mirrored: git's own data is not for helmfile, and is large. */
const SKIPPED = new Set([".git"]);

export async function buildOverlay(options: OverlayOptions): Promise<Overlay> {
  const overlay: Overlay = { root: options.into, encrypted: new Map() };
  await mkdir(options.into, { recursive: true, mode: 0o700 });
  await mirror("", options, overlay);
  return overlay;
}

async function mirror(relative: string, options: OverlayOptions, overlay: Overlay): Promise<void> {
  const source = path.join(options.checkout, relative);
  for (const entry of await readdir(source, { withFileTypes: true })) {
    if (relative === "" && SKIPPED.has(entry.name)) continue;
    const childRelative = path.join(relative, entry.name);
    const from = path.join(options.checkout, childRelative);
    const to = path.join(overlay.root, childRelative);
    if (entry.isDirectory()) {
      await mkdir(to, { mode: 0o700 });
      await mirror(childRelative, options, overlay);
    } else if (entry.isSymbolicLink()) {
      // The same link as in git: helmfile and helm resolve it as they would in the checkout.
      await symlink(await readlink(from), to);
    } else if (entry.isFile() && isInside(options.decryptUnder, childRelative) && (await isSops(from))) {
      const ciphertext = await readFile(from);
      const decrypted = await decryptSopsFile(from, { env: options.env, displayName: childRelative });
      options.onSecrets(decrypted.secrets);
      await writePrivate(to, decrypted.plaintext);
      overlay.encrypted.set(childRelative, sha256Hex(ciphertext));
    } else if ((await lstat(from)).isFile()) {
      await symlink(from, to);
    }
  }
}

function isInside(folder: string, relative: string): boolean {
  const normal = path.normalize(folder);
  return normal === "." || relative.startsWith(`${normal}${path.sep}`);
}

async function isSops(file: string): Promise<boolean> {
  const format = formatFromPath(file);
  // Only the structured formats can be values files; a binary file is never read as sops here.
  if (format === "binary") return false;
  const content = await readFile(file);
  return content.includes("sops") && isSopsFile(content, format);
}

/** 0600 from the first byte (no chmod after a umask-wide create), and never over an existing file. */
async function writePrivate(file: string, content: Uint8Array): Promise<void> {
  const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}
