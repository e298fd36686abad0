/** Every notifier type, by the `type` croncd.yaml gives it. Adding one: a file and a line here. */
import { apprise } from "./apprise.js";
import type { NotifierConfig } from "./config.js";
import { slack } from "./slack.js";
import { teams } from "./teams.js";
import type { NotifierConfigOf, NotifierDefinition, NotifierType } from "./types.js";
import { webhook } from "./webhook.js";

export const NOTIFIERS: { readonly [T in NotifierType]: NotifierDefinition<NotifierConfigOf<T>> } = {
  webhook,
  slack,
  teams,
  apprise,
};

export function notifierFor(config: NotifierConfig): NotifierDefinition<NotifierConfig> {
  // The map's type pairs each type with its own config; TypeScript cannot follow that pairing
  // through an index by a union, hence the widening.
  return NOTIFIERS[config.type] as NotifierDefinition<NotifierConfig>;
}
