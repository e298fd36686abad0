// Finding a busybox that can be the whole userland of an image: it must be statically linked, since
// the image has no libc or dynamic loader.
import { readFile } from "node:fs/promises";
import { exists } from "./system.js";

export async function findStaticBusybox(): Promise<string> {
  for (const candidate of ["/bin/busybox", "/usr/bin/busybox"]) {
    if (!(await exists(candidate))) continue;
    // A dynamically linked busybox (Debian's `busybox` package) would not run in an empty rootfs.
    if (hasElfInterpreter(await readFile(candidate))) {
      throw new Error(`${candidate} is dynamically linked: install Debian's busybox-static package instead.`);
    }
    return candidate;
  }
  throw new Error(
    "busybox not found: install Debian's busybox-static package (the local busybox images are built from it).",
  );
}

/** True if the ELF file asks for a program interpreter (PT_INTERP), i.e. is dynamically linked. */
export function hasElfInterpreter(elf: Buffer): boolean {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46) return false;
  const is64 = elf[4] === 2;
  const little = elf[5] === 1;
  const u16 = (offset: number): number => (little ? elf.readUInt16LE(offset) : elf.readUInt16BE(offset));
  const u32 = (offset: number): number => (little ? elf.readUInt32LE(offset) : elf.readUInt32BE(offset));
  const phoff = is64 ? Number(little ? elf.readBigUInt64LE(0x20) : elf.readBigUInt64BE(0x20)) : u32(0x1c);
  const phentsize = u16(is64 ? 0x36 : 0x2a);
  const phnum = u16(is64 ? 0x38 : 0x2c);
  const PT_INTERP = 3;
  for (let i = 0; i < phnum; i++) {
    const offset = phoff + i * phentsize;
    if (offset + 4 > elf.length) break;
    if (u32(offset) === PT_INTERP) return true;
  }
  return false;
}
