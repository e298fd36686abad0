/**
 * Strict UTF-8 decoding for files croncd deploys from. Node's default decoder turns bytes that
 * are not UTF-8 into U+FFFD without a word, so a value would be deployed altered; docker's YAML
 * reader refuses such a file. croncd refuses too, pointing at the first bad byte.
 */
import { RenderError } from "../errors.js";

const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes `bytes`; throws `RenderError` naming `file:line:column` of the first invalid byte. */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return strictDecoder.decode(bytes);
  } catch (error) {
    const offset = firstInvalidByte(bytes);
    const { line, column } = lineAndColumn(bytes, offset);
    const shown = (bytes[offset] ?? 0).toString(16).toUpperCase().padStart(2, "0");
    return fail(`${file}:${line}:${column}`, shown, error);
  }
}

function fail(subject: string, byte: string, cause: unknown): never {
  throw new RenderError(`invalid UTF-8 (byte 0x${byte})`, {
    subject,
    hint: "save the file as UTF-8; croncd deploys text exactly as written and will not guess an encoding",
    cause,
  });
}

/** The offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidByte(bytes: Uint8Array): number {
  let offset = 0;
  while (offset < bytes.length) {
    const length = sequenceLength(bytes, offset);
    if (length === 0) return offset;
    offset += length;
  }
  return bytes.length;
}

/** Length of the valid sequence at `offset` (RFC 3629: no overlongs, no surrogates), or 0. */
function sequenceLength(bytes: Uint8Array, offset: number): number {
  const lead = bytes[offset] ?? 0;
  if (lead < 0x80) return 1;
  // The allowed range of the second byte narrows for leads that could otherwise encode an
  // overlong form, a surrogate or a code point above U+10FFFF.
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0) low = 0xa0;
    if (lead === 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0) low = 0x90;
    if (lead === 0xf4) high = 0x8f;
  } else return 0;
  for (let index = 1; index < length; index++) {
    const byte = bytes[offset + index];
    if (byte === undefined) return 0;
    const [min, max] = index === 1 ? [low, high] : [0x80, 0xbf];
    if (byte < min || byte > max) return 0;
  }
  return length;
}

/** 1-based line, and 1-based column counted in characters of the valid text before the byte. */
function lineAndColumn(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let lineStart = 0;
  let line = 1;
  for (let index = 0; index < offset; index++) {
    if (bytes[index] === 0x0a) {
      line += 1;
      lineStart = index + 1;
    }
  }
  const before = new TextDecoder("utf-8").decode(bytes.subarray(lineStart, offset));
  return { line, column: [...before].length + 1 };
}
