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
  // Each entry takes only its own type's config; `config.type` picked the entry, so they match.
  return NOTIFIERS[config.type];
}
