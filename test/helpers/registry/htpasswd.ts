// The registry's htpasswd auth accepts bcrypt entries only; `htpasswd -B` (apache2-utils) writes them.
import { writeFile } from "node:fs/promises";
import { execa } from "execa";

export async function writeHtpasswd(file: string, user: string, password: string): Promise<void> {
  // -i: the password on stdin, not in the process list.
  const { stdout } = await execa("htpasswd", ["-Bin", user], { input: password });
  await writeFile(file, `${stdout.trim()}\n`, { mode: 0o600 });
}
