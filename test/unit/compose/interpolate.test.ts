import { describe, expect, it } from "vitest";

import { RenderError } from "../../../src/errors.js";
import { escapeDollars, interpolateDocument, interpolateString } from "../../../src/compose/interpolate.js";
import type { VariableLookup } from "../../../src/compose/interpolate.js";

const WHERE = "stacks/web/compose.yaml services.web.image";

function lookupFrom(variables: Record<string, string>): VariableLookup {
  return (name) => (Object.hasOwn(variables, name) ? variables[name] : undefined);
}

// FOO is set, EMPTY is set to "", UNSET is not set: the three cases every operator distinguishes.
const env = lookupFrom({ FOO: "first", EMPTY: "", JSON: '{"json":2}' });

function render(template: string, lookup: VariableLookup = env): string {
  return interpolateString(template, lookup, WHERE);
}

function renderWithWarnings(
  template: string,
  lookup: VariableLookup = env,
): { value: string; warnings: string[] } {
  const warnings: string[] = [];
  const value = interpolateString(template, lookup, WHERE, (message) => warnings.push(message));
  return { value, warnings };
}

function renderError(template: string, lookup: VariableLookup = env): RenderError {
  try {
    render(template, lookup);
  } catch (error) {
    if (error instanceof RenderError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(template)} to fail`);
}

describe("interpolateString: plain references", () => {
  it("leaves text without $ untouched", () => {
    expect(render("nginx:1.27")).toBe("nginx:1.27");
  });

  it("replaces $VAR and ${VAR}", () => {
    expect(render("This $FOO var")).toBe("This first var");
    expect(render("This ${FOO} var")).toBe("This first var");
  });

  it("ends a $VAR name at the first character that is not a letter, digit or underscore", () => {
    expect(render("$FOO-bar")).toBe("first-bar");
    expect(render("$FOO.bar")).toBe("first.bar");
    expect(render("$FOObar")).toBe("");
    expect(render("${FOO}bar")).toBe("firstbar");
  });

  it("accepts names in any letter case, with underscores and digits after the first character", () => {
    expect(render("$foo_1 ${_X9}", lookupFrom({ foo_1: "a", _X9: "b" }))).toBe("a b");
  });

  it("replaces a variable set to the empty string by nothing, without a warning", () => {
    expect(renderWithWarnings("[${EMPTY}][$EMPTY]")).toEqual({ value: "[][]", warnings: [] });
  });

  it("replaces an unset variable by nothing and warns once per reference, naming the location", () => {
    const result = renderWithWarnings("This ${UNSET} and $UNSET var");
    expect(result.value).toBe("This  and  var");
    expect(result.warnings).toEqual([
      `variable "UNSET" is not set, using an empty string (${WHERE})`,
      `variable "UNSET" is not set, using an empty string (${WHERE})`,
    ]);
  });

  it("does not warn when no warn callback is given", () => {
    expect(render("a${UNSET}b")).toBe("ab");
  });
});

describe("interpolateString: literal dollars", () => {
  it("turns $$ into a literal $ and does not interpolate what follows", () => {
    expect(render("$${FOO}")).toBe("${FOO}");
    expect(render("$$FOO")).toBe("$FOO");
    expect(render("$$$FOO")).toBe("$first");
    expect(render("$$$$")).toBe("$$");
  });

  it("keeps a lone $ that cannot start a reference", () => {
    for (const text of ["a $ string", "^REGEX$", "$}", "$", "$1", "cost: 5$ each", "$-x"]) {
      expect(render(text)).toBe(text);
    }
  });
});

describe("interpolateString: defaults", () => {
  it(":- uses the default when the variable is unset or empty", () => {
    expect(render("ok ${UNSET:-def}")).toBe("ok def");
    expect(render("ok ${EMPTY:-def}")).toBe("ok def");
    expect(render("ok ${FOO:-def}")).toBe("ok first");
  });

  it("- uses the default only when the variable is unset", () => {
    expect(render("ok ${UNSET-def}")).toBe("ok def");
    expect(render("ok ${EMPTY-def}")).toBe("ok ");
    expect(render("ok ${FOO-def}")).toBe("ok first");
  });

  it("allows an empty default", () => {
    expect(renderWithWarnings("[${UNSET:-}][${UNSET-}]")).toEqual({ value: "[][]", warnings: [] });
  });

  it("takes the default verbatim, operators and colons included", () => {
    expect(render("ok ${EMPTY:-/non:-alphanumeric}")).toBe("ok /non:-alphanumeric");
    expect(render("${UNSET-myerror?msg}")).toBe("myerror?msg");
    expect(render("${UNSET:-http://x:80/a+b}")).toBe("http://x:80/a+b");
  });

  it("reads the first operator after the name, whatever follows", () => {
    expect(render("${UNSET-va:-lu:?e}")).toBe("va:-lu:?e");
    expect(render("${FOO+va:+lue}")).toBe("va:+lue");
    expect(render("${UNSET:-a?b}")).toBe("a?b");
  });

  it("interpolates variables in the default", () => {
    expect(render("ok ${UNSET-$FOO}")).toBe("ok first");
    expect(render("ok ${UNSET-${FOO}}")).toBe("ok first");
    expect(render("ok ${UNSET-${FOO} ${FOO}}")).toBe("ok first first");
    expect(render("ok ${EMPTY:-${FOO}}")).toBe("ok first");
  });

  it("nests defaults inside defaults", () => {
    expect(render("${UNSET:-${ALSO_UNSET:-x}}")).toBe("x");
    expect(render("${UNSET:-${FOO:-x}}")).toBe("first");
    expect(render("+ok ${UNSET:-${EMPTY-defaultValue}}")).toBe("+ok ");
    expect(render("${A:-${B:-${C:-deep}}}!")).toBe("deep!");
  });

  it("keeps $$ in a default as a literal $", () => {
    expect(render("${UNSET:-$$HOME}")).toBe("$HOME");
  });

  it("accepts braces in a default when they balance", () => {
    expect(render('ok ${UNSET:-{"json":1}}')).toBe('ok {"json":1}');
    expect(render('ok ${JSON-{"json":1}}')).toBe('ok {"json":2}');
  });

  it("ends the default at the } that balances ${, continuing after it", () => {
    expect(render("${UNSET:-a}b}")).toBe("ab}");
    expect(render("${UNSET:-x} and ${FOO} and ${UNSET:-y}")).toBe("x and first and y");
    expect(render("${UNSET:-x}$${FOO}")).toBe("x${FOO}");
  });

  it("matches compose-go's brace counting, which skips the character after each {", () => {
    // compose-go counts the `{` of the default and skips the `}` right after it, so the first `}`
    // that balances `${` is the one after " b": the default is `{}} b`, not `{}`.
    expect(render("${UNSET:-{}} b}")).toBe("{}} b");
    // Here the braces never balance, and the last `}` on the line ends the form: the default is `{`.
    expect(render("${UNSET:-{}")).toBe("{");
  });

  it("evaluates a default only when it is used: no warning, no error otherwise", () => {
    expect(renderWithWarnings("${FOO:-${UNSET}}")).toEqual({ value: "first", warnings: [] });
    expect(render("${FOO:-${UNSET:?boom}}")).toBe("first");
    const used = renderWithWarnings("${UNSET:-${ALSO_UNSET}}");
    expect(used.value).toBe("");
    expect(used.warnings).toEqual([`variable "ALSO_UNSET" is not set, using an empty string (${WHERE})`]);
  });

  it("does not warn about the variable an operator tests", () => {
    expect(renderWithWarnings("${UNSET:-a}${UNSET-b}${UNSET:+c}${UNSET+d}")).toEqual({
      value: "ab",
      warnings: [],
    });
  });
});

describe("interpolateString: alternatives", () => {
  it(":+ uses the alternative when the variable is set and not empty", () => {
    expect(render("ok ${FOO:+alt}")).toBe("ok alt");
    expect(render("ok ${EMPTY:+alt}")).toBe("ok ");
    expect(render("ok ${UNSET:+alt}")).toBe("ok ");
  });

  it("+ uses the alternative when the variable is set, even to the empty string", () => {
    expect(render("ok ${FOO+alt}")).toBe("ok alt");
    expect(render("ok ${EMPTY+alt}")).toBe("ok alt");
    expect(render("ok ${UNSET+alt}")).toBe("ok ");
  });

  it("interpolates the alternative, nesting included", () => {
    expect(render("ok ${EMPTY+$FOO}")).toBe("ok first");
    expect(render("ok ${EMPTY+$FOO ${FOO:+second}}")).toBe("ok first second");
  });

  it("does not evaluate an unused alternative", () => {
    expect(renderWithWarnings("${UNSET:+${UNSET},}B")).toEqual({ value: "B", warnings: [] });
  });
});

describe("interpolateString: required variables", () => {
  it(":? fails when the variable is unset or empty, with the user's message and the location", () => {
    const unset = renderError("not ok ${UNSET:?Mandatory Variable Unset}");
    expect(unset.message).toContain("required variable UNSET is missing a value: Mandatory Variable Unset");
    expect(unset.message.startsWith(`${WHERE}: `)).toBe(true);
    expect(unset.subject).toBe(WHERE);
    expect(unset.hint).toContain("UNSET");

    expect(renderError("${EMPTY:?Mandatory Variable Empty}").message).toContain(
      "required variable EMPTY is missing a value: Mandatory Variable Empty",
    );
  });

  it("? fails only when the variable is unset", () => {
    expect(renderError("${UNSET?must be set}").message).toContain(
      "required variable UNSET is missing a value: must be set",
    );
    expect(render("ok ${EMPTY?err}")).toBe("ok ");
    expect(render("ok ${FOO?err}")).toBe("ok first");
    expect(render("ok ${FOO:?err}")).toBe("ok first");
  });

  it("says only that the value is missing when the message is empty", () => {
    for (const template of ["${UNSET:?}", "${UNSET?}", "${EMPTY:?}"]) {
      const error = renderError(template);
      expect(error.message).toMatch(/required variable (UNSET|EMPTY) is missing a value \(/);
      expect(error.message).not.toContain("value:");
    }
  });

  it("interpolates the error message", () => {
    expect(renderError("${UNSET:?Mandatory Variable ${FOO}}").message).toContain(
      "required variable UNSET is missing a value: Mandatory Variable first",
    );
    expect(renderError("${UNSET?bar-baz}").message).toContain("missing a value: bar-baz");
  });

  it("does not evaluate the message of a satisfied requirement", () => {
    expect(renderWithWarnings("${FOO?${UNSET}}")).toEqual({ value: "first", warnings: [] });
  });

  it("fails on a requirement nested in a used default", () => {
    expect(renderError("${UNSET:-${ALSO_UNSET:?inner}}").message).toContain(
      "required variable ALSO_UNSET is missing a value: inner",
    );
  });

  it("fails even when the requirement is followed by other references", () => {
    expect(renderError("${SUBDOMAIN:-redis}.${UNSET:?} ${FOO}").message).toContain(
      "required variable UNSET is missing a value",
    );
    expect(render("ok ${SUBDOMAIN:-redis}.${FOO:?}")).toBe("ok redis.first");
  });
});

describe("interpolateString: invalid templates", () => {
  const invalid = [
    "${",
    "${}",
    "${ }",
    "${ foo}",
    "${foo }",
    "${foo!}",
    "${1FOO}",
    "${FOO",
    "${FOO:x}",
    "${FOO:}",
    "${FOO:-x",
    "abc ${FOO-}x ${",
    "${FOO:-line one\nline two}",
  ];

  it.each(invalid)("rejects %j with the template, the location and a hint", (template) => {
    const error = renderError(template);
    expect(error).toBeInstanceOf(RenderError);
    expect(error.message).toContain(`invalid interpolation format in ${JSON.stringify(template)}`);
    expect(error.subject).toBe(WHERE);
    expect(error.hint).toBe("write a literal $ as $$");
  });

  it("accepts ${ once escaped", () => {
    expect(render("$${")).toBe("${");
  });
});

describe("interpolateDocument", () => {
  const where = "stacks/web/compose.yaml";

  it("interpolates every string value at any depth and returns a new document", () => {
    const document = {
      services: {
        web: {
          image: "nginx:${TAG:-latest}",
          ports: ["${PORT}:80", 443],
          environment: { DB_URL: "postgres://$FOO/db", DEBUG: true, EMPTY_VALUE: null },
          deploy: { replicas: 2 },
        },
      },
    };
    const result = interpolateDocument(document, lookupFrom({ FOO: "db.local", PORT: "8080" }), where);
    expect(result).toEqual({
      services: {
        web: {
          image: "nginx:latest",
          ports: ["8080:80", 443],
          environment: { DB_URL: "postgres://db.local/db", DEBUG: true, EMPTY_VALUE: null },
          deploy: { replicas: 2 },
        },
      },
    });
    expect(result).not.toBe(document);
    expect(document.services.web.image).toBe("nginx:${TAG:-latest}");
  });

  it("leaves mapping keys alone, as compose does", () => {
    const result = interpolateDocument({ labels: { "${FOO}": "$FOO" } }, env, where);
    expect(result).toEqual({ labels: { "${FOO}": "first" } });
  });

  it("names the key path in warnings, with list items as [index]", () => {
    const warnings: string[] = [];
    interpolateDocument(
      { services: { web: { environment: { DB_URL: "$DB" }, command: ["run", "${ARG}"] } } },
      env,
      where,
      (message) => warnings.push(message),
    );
    expect(warnings).toEqual([
      `variable "DB" is not set, using an empty string (${where} services.web.environment.DB_URL)`,
      `variable "ARG" is not set, using an empty string (${where} services.web.command[1])`,
    ]);
  });

  it("names the key path in errors", () => {
    const document = { services: { web: { environment: { DB_URL: "${DB:?set the database URL}" } } } };
    expect(() => interpolateDocument(document, env, where)).toThrowError(
      `${where} services.web.environment.DB_URL: required variable DB is missing a value: set the database URL`,
    );
  });

  it("interpolates a bare string and leaves other scalars as they are", () => {
    expect(interpolateDocument("$FOO", env, where)).toBe("first");
    expect(interpolateDocument(42, env, where)).toBe(42);
    expect(interpolateDocument(null, env, where)).toBeNull();
  });

  it("keeps a __proto__ key as ordinary data", () => {
    const document: unknown = JSON.parse('{"__proto__": {"polluted": "$FOO"}}');
    const result = interpolateDocument(document, env, where) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(result, "__proto__")?.value).toEqual({ polluted: "first" });
  });
});

describe("escapeDollars", () => {
  const original = {
    services: {
      web: {
        command: ["sh", "-c", "echo $$HOME ${USER:-x} $1 costs 5$"],
        environment: { LITERAL: "${NOT_A_VARIABLE}", PRICE: "$$$", PLAIN: "no dollars", COUNT: 3 },
        labels: { key$with$dollars: "v" },
      },
    },
  };

  it("doubles every $ in string values", () => {
    expect(escapeDollars(original)).toEqual({
      services: {
        web: {
          command: ["sh", "-c", "echo $$$$HOME $${USER:-x} $$1 costs 5$$"],
          environment: { LITERAL: "$${NOT_A_VARIABLE}", PRICE: "$$$$$$", PLAIN: "no dollars", COUNT: 3 },
          labels: { key$with$dollars: "v" },
        },
      },
    });
  });

  it("yields the original text after a second interpolation with an empty environment", () => {
    const warnings: string[] = [];
    const reread = interpolateDocument(
      escapeDollars(original),
      () => undefined,
      "rendered.yaml",
      (message) => warnings.push(message),
    );
    expect(reread).toEqual(original);
    expect(warnings).toEqual([]);
  });

  it("round-trips the output of a first interpolation", () => {
    const rendered = interpolateString("${A:-$$B} $$ ${C:?x}", lookupFrom({ C: "${not}$" }), "x");
    expect(rendered).toBe("$B $ ${not}$");
    expect(interpolateString(escapeDollars(rendered) as string, () => undefined, "x")).toBe(rendered);
  });

  it("does not modify its input", () => {
    const input = { a: ["$x"] };
    escapeDollars(input);
    expect(input).toEqual({ a: ["$x"] });
  });
});
