// Local busybox images for stacks to run. No registry is reachable (and a test must not depend on
// one), so each image's rootfs is assembled here from the host's static busybox and imported.
import { chmod, mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { findStaticBusybox } from "./busybox.js";
import type { DockerCall } from "./docker-cli.js";

export interface BuildImagesOptions {
  /** Docker runner bound to the daemon that gets the images. */
  docker: DockerCall;
  /** Scratch space; a subdirectory `image` is created in it and removed again. */
  workDir: string;
}

/**
 * Builds one image per tag. The first tag gets the plain rootfs; every further tag the same rootfs
 * plus `/VERSION` containing its position (the second tag `2`, the third `3`...), so a service can
 * be moved to a "new version" of the image. Every image runs `sleep 3600` by default.
 *
 * A tiny Dockerfile on top sets STOPSIGNAL SIGKILL (which `docker import --change` does not accept):
 * busybox `sleep` as PID 1 ignores SIGTERM, and without it every stack removal or service update would
 * wait out the 10 s stop grace period.
 */
export async function buildBusyboxImages(
  tags: readonly string[],
  options: BuildImagesOptions,
): Promise<void> {
  if (tags.length === 0) return;
  const busybox = await findStaticBusybox();
  const imageDir = join(options.workDir, "image");
  const rootfs = join(imageDir, "rootfs");
  for (const sub of ["bin", "etc", "root", "tmp", "usr/bin", "var/www"]) {
    await mkdir(join(rootfs, sub), { recursive: true });
  }
  await chmod(join(rootfs, "tmp"), 0o1777);
  await chmod(join(rootfs, "root"), 0o700);
  const binary = await readFile(busybox);
  await writeFile(join(rootfs, "bin/busybox"), binary, { mode: 0o755 });
  const { stdout: applets } = await execa(busybox, ["--list"]);
  for (const applet of applets.split("\n")) {
    const name = applet.trim();
    if (name === "" || name === "busybox" || name.includes("/")) continue;
    await symlink("busybox", join(rootfs, "bin", name));
  }
  // Scripts with `#!/usr/bin/env sh` should work too.
  await symlink("/bin/busybox", join(rootfs, "usr/bin/env"));
  await writeFile(
    join(rootfs, "etc/passwd"),
    "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
  );
  await writeFile(join(rootfs, "etc/group"), "root:x:0:\nnogroup:x:65534:\n");

  // One tarball per tag, taken in order while /VERSION is rewritten between them.
  const builds: { tag: string; tarball: string }[] = [];
  for (const [index, tag] of tags.entries()) {
    const version = index + 1;
    if (version > 1) await writeFile(join(rootfs, "VERSION"), `${version}\n`);
    const tarball = join(imageDir, `rootfs-${version}.tar`);
    await execa("tar", ["--numeric-owner", "--owner=0", "--group=0", "-C", rootfs, "-cf", tarball, "."]);
    builds.push({ tag, tarball });
  }

  await Promise.all(builds.map(({ tag, tarball }) => importImage(options.docker, tarball, tag)));
  await rm(imageDir, { recursive: true, force: true });
}

async function importImage(docker: DockerCall, tarball: string, tag: string): Promise<void> {
  const base = `${tag}-rootfs`;
  await docker(["import", "--change", 'CMD ["sleep","3600"]', tarball, base]);
  // The legacy builder: Debian's docker.io has no buildx, and this Dockerfile needs no build context.
  await docker(["build", "-q", "-t", tag, "-"], {
    input: `FROM ${base}\nSTOPSIGNAL SIGKILL\nLABEL org.croncd.test-image="${tag}"\n`,
    env: { DOCKER_BUILDKIT: "0" },
  });
  // Only the final tag is meant to be used; the layers stay referenced by it.
  await docker(["image", "rm", base]);
}
