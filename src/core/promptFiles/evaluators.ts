import type { EvaluatorSpec, StringCheck } from './model';
import { templateString } from './template';

/**
 * The string evaluators of a prompt file, exactly as `gh models eval` runs them (github/gh-models
 * `cmd/eval/eval.go` at f38cd97, `runStringEvaluator`): the model's answer is `strings.TrimSpace`d first
 * (`callModelWithRetry`), the evaluator's value is templated with the case's variables, `equals` compares exactly,
 * `contains` / `startsWith` / `endsWith` compare `strings.ToLower` of both sides; score 1 or 0. `llm` and `uses`
 * evaluators call another model and are listed as not evaluated here.
 */

export interface EvaluatorResult {
  readonly name: string;
  readonly kind: EvaluatorSpec['kind'];
  /** `undefined` for the kinds not evaluated here. */
  readonly passed: boolean | undefined;
  readonly check?: StringCheck;
  /** The evaluator's value after templating. */
  readonly value?: string;
  /** What was checked, worded as the CLI words it (“Expected to contain: 'x'”), or why nothing was. */
  readonly details: string;
}

export function runEvaluators(evaluators: readonly EvaluatorSpec[], variables: ReadonlyMap<string, string>, answer: string): EvaluatorResult[] {
  const response = goTrimSpace(answer);
  return evaluators.map((evaluator): EvaluatorResult => {
    switch (evaluator.kind) {
      case 'string': {
        const value = templateString(evaluator.value, variables);
        return { name: evaluator.name, kind: 'string', check: evaluator.check, value, passed: passes(evaluator.check, response, value), details: DETAILS[evaluator.check](value) };
      }
      case 'llm':
        return { name: evaluator.name, kind: 'llm', passed: undefined, details: 'not evaluated here (an llm evaluator asks a judge model)' };
      case 'uses':
        return { name: evaluator.name, kind: 'uses', passed: undefined, details: `not evaluated here (uses ${evaluator.uses}, a judge model)` };
    }
  });
}

function passes(check: StringCheck, response: string, value: string): boolean {
  switch (check) {
    case 'equals': return response === value;
    case 'contains': return goToLower(response).includes(goToLower(value));
    case 'startsWith': return goToLower(response).startsWith(goToLower(value));
    case 'endsWith': return goToLower(response).endsWith(goToLower(value));
  }
}

const DETAILS: Record<StringCheck, (value: string) => string> = {
  equals: (value) => `Expected exact match: '${value}'`,
  contains: (value) => `Expected to contain: '${value}'`,
  startsWith: (value) => `Expected to start with: '${value}'`,
  endsWith: (value) => `Expected to end with: '${value}'`,
};

/** Go's `strings.TrimSpace`: removes `unicode.IsSpace` characters, which are exactly Unicode's White_Space. */
export function goTrimSpace(text: string): string {
  return text.replace(/^\p{White_Space}+|\p{White_Space}+$/gu, '');
}

/**
 * Go's `strings.ToLower`: each code point by Unicode's simple lowercase mapping. JavaScript's `toLowerCase` uses the
 * full mapping, which differs only for U+0130 (İ → i̇, two code points) and for a final capital sigma (→ ς); those
 * strings are lowered one code point at a time, keeping the first code point of each mapping.
 */
export function goToLower(text: string): string {
  if (!/[\u0130\u03a3]/.test(text)) return text.toLowerCase();
  let lowered = '';
  for (const character of text) lowered += String.fromCodePoint(character.toLowerCase().codePointAt(0)!);
  return lowered;
}

/** A case passes when every evaluator run here passed; `undefined` when none was run here. */
export function casePassed(results: readonly EvaluatorResult[]): boolean | undefined {
  const evaluated = results.filter((result) => result.passed !== undefined);
  return evaluated.length === 0 ? undefined : evaluated.every((result) => result.passed);
}
