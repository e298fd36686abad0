/** Go's `base64.StdEncoding.DecodeString`: padded standard alphabet; CR and LF are skipped. */
export function decodeGoBase64(text: string): Buffer | undefined {
  const compact = text.replace(/[\r\n]/g, "");
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, "base64");
}
