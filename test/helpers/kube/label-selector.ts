// Kubernetes label selectors as they arrive in `?labelSelector=`: equality (`a=b`, `a==b`, `a!=b`),
// set-based (`a in (x,y)`, `a notin (x)`) and existence (`a`, `!a`), comma meaning AND. helm lists its
// release Secrets with `owner=helm,name=<release>` and `helm list -l` adds the user's own terms.
import { badRequest } from "./status.js";

type Requirement = (labels: Readonly<Record<string, string>>) => boolean;

/** Splits on the commas that are not inside a `( … )` value set. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of selector) {
    if (char === "(") depth += 1;
    if (char === ")") depth -= 1;
    if (char === "," && depth === 0) {
      terms.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  terms.push(current);
  return terms.map((term) => term.trim()).filter((term) => term !== "");
}

function parseTerm(term: string): Requirement {
  const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (set) {
    const [, key = "", operator, list = ""] = set;
    const values = list.split(",").map((value) => value.trim());
    return operator === "in"
      ? (labels) => key in labels && values.includes(labels[key] ?? "")
      : (labels) => !(key in labels) || !values.includes(labels[key] ?? "");
  }
  const equality = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s!=]*)$/.exec(term);
  if (equality) {
    const [, key = "", operator, value = ""] = equality;
    return operator === "!=" ? (labels) => labels[key] !== value : (labels) => labels[key] === value;
  }
  const absent = /^!\s*([^\s!=]+)$/.exec(term);
  if (absent) return (labels) => !((absent[1] ?? "") in labels);
  if (/^[^\s!=(),]+$/.test(term)) return (labels) => term in labels;
  throw badRequest(`unable to parse requirement: ${JSON.stringify(term)}`);
}

/** A predicate over an object's labels; an empty selector matches everything. */
export function parseLabelSelector(selector: string): (labels: Readonly<Record<string, string>>) => boolean {
  const requirements = splitTerms(selector).map(parseTerm);
  return (labels) => requirements.every((matches) => matches(labels));
}
