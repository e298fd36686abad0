// The message of the ConfigError croncd.yaml `text` is refused with; fails the test if it is accepted.
import { expect } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { ConfigError } from "../../src/errors.js";

export function configErrorOf(text: string): string {
  try {
    parseConfig(text, "croncd.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}
