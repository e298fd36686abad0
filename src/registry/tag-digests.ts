/**
 * Asks registries which digest a tag points at now: one `HEAD /v2/<repository>/manifests/<tag>`
 * per distinct image, whatever the number of services that use it. Around those: one `GET /v2/`
 * per registry to learn how it authenticates, and for token registries one token per repository.
 * Everything goes through the http port; credentials come from the job's docker config and are
 * handed to the masker before any request is sent.
 */
import { httpRequest, type HttpAnswer, type HttpRequest } from "../ports/http.js";
import { parseChallenge, registryMessage, type Challenge } from "./challenge.js";
import { credentialsFor, dockerConfigFile, type RegistryCredentials } from "./docker-credentials.js";
import { locateTaggedImage, type ImageLocation } from "./image-location.js";
import { VERSION } from "../version.js";

/** Node's codes for a certificate it does not accept (unknown CA, self-signed, wrong name, expired). */
const UNTRUSTED_CERTIFICATE = /\((?:UNABLE_TO_\w+|\w*SELF_SIGNED\w*|CERT_\w+|ERR_TLS_CERT_\w+)\)/;
const CA_HINT =
  " (the registry's TLS certificate is not trusted: give croncd its CA with NODE_EXTRA_CA_CERTS=/path/ca.crt, as dockerd has it in /etc/docker/certs.d)";

/** Registries log it: an operator can tell croncd's lookups from the nodes' pulls. */
const USER_AGENT = `croncd/${VERSION}`;

/** What each accepted manifest kind is called: the digest is of whichever the tag names. */
export const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

export type TagLookup = { digest: string } | { error: string };

export interface TagDigestOptions {
  env: NodeJS.ProcessEnv;
  /** Called with every credential and token before it is used, so no output can show it. */
  onSecrets: (values: readonly string[]) => void;
  request?: (request: HttpRequest) => Promise<HttpAnswer>;
}

/** The current digest of each image reference, keyed by the reference as given. */
export function lookUpTagDigests(
  images: Iterable<string>,
  options: TagDigestOptions,
): Promise<Map<string, TagLookup>> {
  return tagDigestLookup(options)(images);
}

/**
 * A lookup that asks about each image at most once in its life (one run of one target): a target
 * planned again under its lock, or a failed pull explained later, reuses the registry's answer.
 */
export function tagDigestLookup(
  options: TagDigestOptions,
): (images: Iterable<string>) => Promise<Map<string, TagLookup>> {
  const client = new TagDigestClient(options);
  const answers = new Map<string, Promise<TagLookup>>();
  return async (images) => {
    const distinct = [...new Set(images)];
    for (const image of distinct) if (!answers.has(image)) answers.set(image, client.lookUp(image));
    const found = await Promise.all(distinct.map((image) => answers.get(image) as Promise<TagLookup>));
    return new Map(distinct.map((image, index) => [image, found[index] as TagLookup]));
  };
}

class TagDigestClient {
  private readonly request: (request: HttpRequest) => Promise<HttpAnswer>;
  private readonly challenges = new Map<string, Promise<Challenge>>();
  private readonly credentials = new Map<string, Promise<RegistryCredentials>>();

  constructor(private readonly options: TagDigestOptions) {
    const send = options.request ?? httpRequest;
    this.request = (request) =>
      send({ ...request, headers: { "user-agent": USER_AGENT, ...request.headers } });
  }

  async lookUp(image: string): Promise<TagLookup> {
    const location = locateTaggedImage(image);
    if (!location) return { error: `${image} is not a tag croncd can look up` };
    try {
      return { digest: await this.digestOf(location) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return {
        error: `${location.registry}: ${message}${UNTRUSTED_CERTIFICATE.test(message) ? CA_HINT : ""}`,
      };
    }
  }

  private async digestOf(location: ImageLocation): Promise<string> {
    const authorization = await this.authorization(location);
    const url = `${location.apiBase}/v2/${location.repository}/manifests/${encodeURIComponent(location.tag)}`;
    const answer = await this.request({
      method: "HEAD",
      url,
      headers: { accept: MANIFEST_ACCEPT, ...authorization },
    });
    if (answer.status === 200) {
      const digest = answer.headers.get("docker-content-digest");
      if (!digest) throw new Error(`HEAD ${url} answered without a Docker-Content-Digest header`);
      return digest;
    }
    if (answer.status === 404) {
      throw new Error(
        `${location.repository}:${location.tag}: manifest unknown (no such tag in the registry)`,
      );
    }
    // A HEAD answer has no body: the registry's own words come from /v2/ with the same credentials.
    const words = await this.request({
      method: "GET",
      url: `${location.apiBase}/v2/`,
      headers: authorization,
    });
    throw new Error(
      `HEAD ${url} answered ${answer.status}: ${registryMessage(words.json, words.text, answer.status)}` +
        (await this.loginHint(location.registry)),
    );
  }

  private async authorization(location: ImageLocation): Promise<Record<string, string>> {
    const challenge = await this.challengeOf(location);
    if (challenge.scheme === "none") return {};
    const credentials = await this.credentialsOf(location.registry);
    if (challenge.scheme === "basic") {
      if (credentials.kind !== "basic") {
        throw new Error(
          `the registry asks for credentials and there are none for it in ${dockerConfigFile(this.options.env)}` +
            (await this.loginHint(location.registry)),
        );
      }
      return { authorization: basicHeader(credentials) };
    }
    const token = new URL(challenge.realm);
    if (challenge.service) token.searchParams.set("service", challenge.service);
    token.searchParams.set("scope", `repository:${location.repository}:pull`);
    const request: HttpRequest = {
      method: "GET",
      url: token.toString(),
      headers: credentials.kind === "basic" ? { authorization: basicHeader(credentials) } : {},
    };
    const answer = await this.request(request);
    const body = answer.json as { token?: unknown; access_token?: unknown } | undefined;
    const value = body?.token ?? body?.access_token;
    if (answer.status !== 200 || typeof value !== "string") {
      throw new Error(
        `token request to ${token.origin}${token.pathname} answered ${answer.status}: ` +
          registryMessage(answer.json, answer.text, answer.status) +
          (await this.loginHint(location.registry)),
      );
    }
    this.options.onSecrets([value]);
    return { authorization: `Bearer ${value}` };
  }

  private challengeOf(location: ImageLocation): Promise<Challenge> {
    let challenge = this.challenges.get(location.registry);
    if (!challenge) {
      challenge = this.ping(location);
      this.challenges.set(location.registry, challenge);
    }
    return challenge;
  }

  private async ping(location: ImageLocation): Promise<Challenge> {
    const answer = await this.request({ method: "GET", url: `${location.apiBase}/v2/` });
    if (answer.status === 200) return { scheme: "none" };
    const challenge =
      answer.status === 401 ? parseChallenge(answer.headers.get("www-authenticate")) : undefined;
    if (!challenge) {
      throw new Error(
        `GET ${location.apiBase}/v2/ answered ${answer.status}: ${registryMessage(answer.json, answer.text, answer.status)}`,
      );
    }
    return challenge;
  }

  private credentialsOf(registry: string): Promise<RegistryCredentials> {
    let credentials = this.credentials.get(registry);
    if (!credentials) {
      credentials = credentialsFor(registry, this.options.env).then((found) => {
        if (found.kind === "basic") this.options.onSecrets([found.password, basicHeader(found)]);
        return found;
      });
      this.credentials.set(registry, credentials);
    }
    return credentials;
  }

  private async loginHint(registry: string): Promise<string> {
    const credentials = await this.credentialsOf(registry).catch(() => undefined);
    if (credentials?.kind === "none" && credentials.helper) {
      return ` (the docker config names the credential helper "${credentials.helper}" for it, which croncd does not run: log in with a plain docker config, see README "Private registries")`;
    }
    return ` (the job must \`docker login ${registry}\` before croncd runs)`;
  }
}

function basicHeader(credentials: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
}
