/**
 * Stacks render side by side, but the programs that hand out keys run one at a time, as they did
 * with sops alone: `SOPS_AGE_KEY_CMD` (it may read a hardware token) and the `sops` binary (which
 * may run that same command itself, or ask a rate-limited KMS or Vault). One queue for both.
 */
import { oneAtATime } from "../../util/one-at-a-time.js";

export const secretToolTurn = oneAtATime();
