// helm's typed client writes its release records (Secrets, or ConfigMaps with HELM_DRIVER=configmap)
// as Kubernetes protobuf (`Content-Type: application/vnd.kubernetes.protobuf`), and no kubeconfig
// setting or helm flag switches that to JSON. So the stand-in decodes that wire format for these two
// kinds: the 4-byte magic `k8s\0`, then a runtime.Unknown message {typeMeta, raw} whose raw bytes are the
// object's own message. Field numbers are those of k8s.io/api's generated.proto. A field the stand-in
// does not know is an error, so that a gap is seen rather than silently dropping data.
import { badRequest, unsupported } from "./status.js";

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

interface Field {
  number: number;
  /** Varint value (wire type 0), or undefined for length-delimited fields. */
  varint?: bigint;
  /** Bytes of a length-delimited field (wire type 2). */
  bytes?: Buffer;
}

function readVarint(buffer: Buffer, start: number): [bigint, number] {
  let value = 0n;
  let shift = 0n;
  let offset = start;
  for (;;) {
    const byte = buffer[offset];
    if (byte === undefined) throw badRequest("protobuf: truncated varint");
    offset += 1;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value, offset];
    shift += 7n;
  }
}

function readFields(buffer: Buffer): Field[] {
  const fields: Field[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const [tag, afterTag] = readVarint(buffer, offset);
    const number = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    if (wireType === 0) {
      const [varint, next] = readVarint(buffer, afterTag);
      fields.push({ number, varint });
      offset = next;
    } else if (wireType === 2) {
      const [length, start] = readVarint(buffer, afterTag);
      const end = start + Number(length);
      if (end > buffer.length) throw badRequest("protobuf: truncated field");
      fields.push({ number, bytes: buffer.subarray(start, end) });
      offset = end;
    } else {
      throw unsupported(
        `protobuf: wire type ${wireType} (field ${number}) is not used by the kinds decoded here`,
      );
    }
  }
  return fields;
}

const text = (field: Field): string => (field.bytes ?? Buffer.alloc(0)).toString("utf8");

/** Go's generated code writes unset scalar and string fields too, as zero values: those carry nothing. */
const isEmpty = (field: Field): boolean => (field.bytes?.length ?? 0) === 0 && (field.varint ?? 0n) === 0n;

/** One entry of a protobuf map<string, string|bytes>. */
function mapEntry(field: Field): [string, Buffer] {
  let key = "";
  let value: Buffer = Buffer.alloc(0);
  for (const part of readFields(field.bytes ?? Buffer.alloc(0))) {
    if (part.number === 1) key = text(part);
    if (part.number === 2) value = part.bytes ?? Buffer.alloc(0);
  }
  return [key, value];
}

function decodeObjectMeta(buffer: Buffer): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  for (const field of readFields(buffer)) {
    if (isEmpty(field)) continue;
    switch (field.number) {
      case 1:
        meta.name = text(field);
        break;
      case 2:
        meta.generateName = text(field);
        break;
      case 3:
        meta.namespace = text(field);
        break;
      case 5:
        meta.uid = text(field);
        break;
      case 6:
        meta.resourceVersion = text(field);
        break;
      case 7:
        meta.generation = Number(field.varint ?? 0n);
        break;
      case 4: // selfLink: deprecated, never set by a client.
      case 8: // creationTimestamp: set by the server, not the client.
        break;
      case 11: {
        const [key, value] = mapEntry(field);
        labels[key] = value.toString("utf8");
        break;
      }
      case 12: {
        const [key, value] = mapEntry(field);
        annotations[key] = value.toString("utf8");
        break;
      }
      default:
        throw unsupported(`protobuf: ObjectMeta field ${field.number} is not supported by the stand-in`);
    }
  }
  if (Object.keys(labels).length > 0) meta.labels = labels;
  if (Object.keys(annotations).length > 0) meta.annotations = annotations;
  return meta;
}

/** Secret and ConfigMap: metadata = 1, then string/bytes maps and scalars. */
function decodeSecretOrConfigMap(kind: string, buffer: Buffer): Record<string, unknown> {
  const object: Record<string, unknown> = { apiVersion: "v1", kind };
  // Secret: data(2) bytes, type(3), stringData(4) string, immutable(5). ConfigMap: data(2) string,
  // binaryData(3) bytes, immutable(4). JSON carries bytes as base64, as the API's JSON form does.
  const maps: Record<number, [string, "base64" | "utf8"]> =
    kind === "Secret"
      ? { 2: ["data", "base64"], 4: ["stringData", "utf8"] }
      : { 2: ["data", "utf8"], 3: ["binaryData", "base64"] };
  const immutableField = kind === "Secret" ? 5 : 4;
  for (const field of readFields(buffer)) {
    const map = maps[field.number];
    if (field.number === 1) {
      object.metadata = decodeObjectMeta(field.bytes ?? Buffer.alloc(0));
    } else if (map) {
      const [name, encoding] = map;
      const [key, value] = mapEntry(field);
      const target = (object[name] ??= {}) as Record<string, string>;
      target[key] = value.toString(encoding);
    } else if (kind === "Secret" && field.number === 3) {
      object.type = text(field);
    } else if (field.number === immutableField) {
      object.immutable = field.varint === 1n;
    } else if (!isEmpty(field)) {
      throw unsupported(`protobuf: ${kind} field ${field.number} is not supported by the stand-in`);
    }
  }
  return object;
}

/** Decodes a protobuf request body into the object's JSON form. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (!body.subarray(0, 4).equals(MAGIC)) throw badRequest("protobuf: body does not start with k8s\\0");
  let kind = "";
  let apiVersion = "";
  let raw: Buffer = Buffer.alloc(0);
  for (const field of readFields(body.subarray(4))) {
    if (field.number === 1) {
      for (const part of readFields(field.bytes ?? Buffer.alloc(0))) {
        if (part.number === 1) apiVersion = text(part);
        if (part.number === 2) kind = text(part);
      }
    } else if (field.number === 2) {
      raw = field.bytes ?? Buffer.alloc(0);
    }
  }
  if (apiVersion !== "v1" || (kind !== "Secret" && kind !== "ConfigMap")) {
    throw unsupported(`protobuf: only v1 Secret and ConfigMap are decoded, not ${apiVersion} ${kind}`);
  }
  return decodeSecretOrConfigMap(kind, raw);
}
