/**
 * `{{variable}}` templating as the `gh models` CLI does it (github/gh-models `pkg/prompt/prompt.go`,
 * `TemplateString`, at f38cd97): each key of the test case replaces the literal text `{{key}}` (no spaces inside
 * the braces, no escaping), non-string values are written as Go's `fmt` `%v` writes them, and placeholders no key
 * matches stay as written.
 *
 * One deliberate difference: the CLI replaces key after key in Go's random map order, so a value that itself
 * contains `{{other}}` may or may not be expanded. Here substitution is one left-to-right pass over the template:
 * inserted values are never scanned again, and the result never depends on key order.
 */

/**
 * A test-data value as Go's YAML decoder (`gopkg.in/yaml.v3` into `interface{}`) holds it: `bigint` for `int`,
 * `number` for `float64`, `null` for `nil`, arrays for `[]interface{}` and maps for `map[string]interface{}`.
 */
export type GoValue = string | bigint | number | boolean | null | readonly GoValue[] | ReadonlyMap<string, GoValue>;

/** A value as `fmt.Sprintf("%v", value)` writes it in Go. */
export function goFormat(value: GoValue): string {
  if (value === null) return '<nil>';
  switch (typeof value) {
    case 'string': return value;
    case 'bigint': return value.toString();
    case 'boolean': return value ? 'true' : 'false';
    case 'number': return goFloat(value);
  }
  if (Array.isArray(value)) return `[${(value as readonly GoValue[]).map(goFormat).join(' ')}]`;
  // fmt prints maps with their keys sorted (Go 1.12 and later).
  const entries = [...(value as ReadonlyMap<string, GoValue>)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `map[${entries.map(([key, item]) => `${key}:${goFormat(item)}`).join(' ')}]`;
}

/**
 * A float64 as `%v` writes it: `strconv.FormatFloat(x, 'g', -1, 64)`, the shortest digits that read back to the
 * same number, in exponent form when the decimal exponent is below -4 or at least 6 (so 1e6 is `1e+06` and
 * 123456 is `123456`); `+Inf`, `-Inf` and `NaN` as fmt spells them.
 */
export function goFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const sign = value < 0 ? '-' : '';
  // JavaScript's toExponential() without an argument also gives the shortest round-tripping digits.
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const magnitude = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${digits[0]}${fraction}e${exponent < 0 ? '-' : '+'}${magnitude}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** One `{{...}}` in a template: its inner text and the offsets of the whole placeholder. */
export interface Placeholder {
  readonly inner: string;
  readonly start: number;
  readonly end: number;
}

/** Every innermost `{{...}}` (no braces inside), in order. `{{{x}}}` holds the placeholder `{{x}}`, as for the CLI. */
export function findPlaceholders(template: string): Placeholder[] {
  const found: Placeholder[] = [];
  for (const match of template.matchAll(/\{\{([^{}]*)\}\}/g)) {
    found.push({ inner: match[1]!, start: match.index, end: match.index + match[0].length });
  }
  return found;
}

/**
 * Whether the text between braces looks meant as a variable (`input`, `user_name`, `doc.title`, `день`): used only
 * to decide which unmatched placeholders deserve a diagnostic, since prompts may hold other brace syntax.
 */
export function looksLikeVariable(inner: string): boolean {
  return /^[\p{L}_][\p{L}\p{N}_.-]*$/u.test(inner);
}

/** The template with every `{{key}}` replaced by the key's value, in one pass (see the file comment). */
export function templateString(template: string, variables: ReadonlyMap<string, string>): string {
  if (variables.size === 0 || !template.includes('{{')) return template;
  const pattern = new RegExp(`\\{\\{(${[...variables.keys()].map(escapeRegExp).join('|')})\\}\\}`, 'g');
  return template.replace(pattern, (_whole, key: string) => variables.get(key)!);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
