import { DEFAULT_CONFIG_FILE } from "../config/load.js";

export const USAGE = `Usage: croncd <command> [options]

Commands:
  reconcile            make every target match git: deploy what changed, prune what left
  plan                 show what reconcile would do; exit 2 when something would change
  validate             check the configuration and render every stack (no Docker daemon needed)
  render --out DIR     write the compose files croncd would deploy (secrets masked)
  prune --stack NAME   remove one stack croncd owns (--dry-run shows what it would do)
  suspend --stack NAME [--reason TEXT]
                       leave one stack croncd owns as it runs: not deployed, healed or pruned
                       until resumed (marked on the stack itself, with who, when and why)
  resume --stack NAME  let croncd manage a suspended stack again (the next reconcile heals it)
  decrypt FILE         print a sops file's plaintext, like sops --decrypt (needs no croncd.yaml)
  version              print the version

Options (reconcile, plan, validate, render):
  --config FILE        configuration file (default ${DEFAULT_CONFIG_FILE})
  --target NAME        only this target (repeatable)
  --ref SOURCE=REF     use this branch, tag or commit for a source (repeatable)
  --report FILE        write the run as JSON
  --junit FILE         write the run as JUnit XML (one test case per stack/release; GitLab reports:junit)
  --dotenv FILE        write the counts as KEY=value lines (CRONCD_FAILED=0...; GitLab reports:dotenv)
  --out DIR            render: where to write
  --no-heal            reconcile: report drift, do not redeploy it (still exit 2)
  --json               plan: print the report as JSON on stdout
  --comment            plan: post the plan on the CI job's merge request / pull request, as one
                       comment edited in place on every push (a warning when it cannot)
  --comment-token-env NAME
                       plan --comment: the variable holding the API token (default
                       CRONCD_GITLAB_TOKEN on GitLab, GITHUB_TOKEN on GitHub)

Options (prune):
  --config FILE, --report FILE, --junit FILE, --dotenv FILE, --target NAME (once)
  --stack NAME         the stack to remove (targets of type swarm)
  --release NAME       the release to remove (targets that deploy releases)
  --namespace NS       with --release: the release's namespace
  --dry-run            change nothing, say what would be removed

Options (suspend, resume):
  --config FILE, --report FILE, --junit FILE, --dotenv FILE, --target NAME (once)
  --stack NAME         the stack (targets of type swarm)
  --release NAME       the release (targets that deploy releases); --namespace NS with it
  --reason TEXT        suspend: why, shown in every run's report until resumed
  Who suspended: GITLAB_USER_LOGIN and CI_JOB_URL, GITHUB_ACTOR and the run's URL, else user@host.

Options (decrypt):
  --ignore-mac         decrypt even if the file's MAC is missing or does not match
  --input-type FORMAT  yaml, json, dotenv, ini or binary (default: from the file name)
  age keys come from SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD and
  $XDG_CONFIG_HOME/sops/age/keys.txt (~/.config/sops/age/keys.txt); other key types need sops

Exit codes: 0 all good, 1 something failed, 2 changes pending (plan) or drift (reconcile),
  3 a git server, Docker daemon or Kubernetes API could not be reached (and nothing failed).
Only reconcile alerts (croncd.yaml alerts:); plan, validate, render and prune never do.`;
