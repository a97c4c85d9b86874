import * as assert from 'node:assert/strict';
import type { LoggedAnswer } from '../../src/core/logged';
import { readLogged } from '../../src/core/logged';

/** The answer a logged response holds, read as Open Logprobs Response reads it; the test fails if it holds none. */
export function loggedAnswer(text: string): LoggedAnswer {
  const result = readLogged(text);
  assert.equal(result.kind, 'answer', result.kind === 'refused' ? result.problem : `read as ${result.kind}`);
  return result;
}

/** Why a text is refused; the test fails if it is read. */
export function loggedRefusal(text: string): string {
  const result = readLogged(text);
  assert.equal(result.kind, 'refused', `read as ${result.kind}`);
  return result.problem;
}
