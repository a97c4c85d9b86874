// Steering's figures for `npm run bench`: what token ids cost the store, a hover with its action rows, copying a
// branch's prefix from the original answer, and the logit-bias body of a full list. Prints figures; asserts nothing.
import { Answer } from '../../src/core/answer';
import { DEFAULT_THRESHOLDS } from '../../src/core/buckets';
import { defaultCapabilities } from '../../src/core/capabilities';
import { steeringRows } from '../../src/core/hoverActions';
import { hoverMarkdown } from '../../src/core/hoverMarkdown';
import type { TokenEntry } from '../../src/core/logprob';
import type { LogitBiasEntry } from '../../src/core/steering';
import { MAX_BIAS_ENTRIES, logitBiasBody } from '../../src/core/steering';

const WORDS = [' the', ' model', ' was', ' fairly', ' sure', ' about', ' this', ' token', ',', ' and', ' less', ' so', ' here', '.', '\n', ' 💙'];

/** A llama.cpp-shaped token: an id on it and on each of its alternatives (one id per text, as a vocabulary has). */
function tokenWithIds(i: number, alternatives: number): TokenEntry {
  const word = (k: number): number => (i + k) % WORDS.length;
  const token = WORDS[word(0)]!;
  return {
    token, logprob: -((i * 7919) % 1000) / 250, bytes: [...Buffer.from(token, 'utf8')], id: word(0),
    top_logprobs: Array.from({ length: alternatives }, (_, k) => (k === 0
      ? { token, logprob: -0.01, id: word(0) }
      : { token: WORDS[word(k)]! + k, logprob: -k * 0.7 - 0.01, id: 1000 + word(k) * 100 + k })),
  };
}

function answerOf(tokens: number, alternatives: number): Answer {
  const answer = new Answer(0, '\n', DEFAULT_THRESHOLDS);
  for (let i = 0; i < tokens; i++) {
    const entry = tokenWithIds(i, alternatives);
    answer.inserted(answer.append(entry.token, [entry]).length);
  }
  answer.inserted(answer.finish().length);
  return answer;
}

function perCall(count: number, body: (i: number) => unknown): number {
  let sink = 0;
  const began = performance.now();
  for (let i = 0; i < count; i++) sink += body(i) === undefined ? 0 : 1;
  const elapsed = performance.now() - began;
  return sink >= 0 ? elapsed / count : Number.NaN;
}

export function runSteeringBench(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    const used = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const before = used();
    const held = answerOf(100_000, 20);
    // Twice: one collection sometimes leaves ~5 MB behind (54 B per token here), on main's store as on this one.
    gc();
    gc();
    console.log(`memory per token with response ids (llama.cpp), 100k tokens × 20 alternatives held: ${((used() - before) / held.store.tokenCount).toFixed(0)} B  (target <= 256 B)`);
  } else console.log('memory per token with ids: run with node --expose-gc (npm run bench does)');

  const answer = answerOf(10_000, 20);
  const capabilities = defaultCapabilities({ preset: 'llama.cpp server', apiStyle: 'chat', model: 'default' });
  const bias = { model: 'default', apiStyle: 'chat' as const, endpointLabel: 'llama.cpp' };
  const hoverUs = perCall(2_000, (i) => {
    const index = (i * 37) % answer.store.tokenCount;
    const stored = answer.store.token(index);
    return hoverMarkdown([stored], steeringRows({ answer: 'bench-1', tokens: [{ index, stored }], capabilities, bias, idsUsable: true, output: 'replace' }));
  }) * 1000;
  console.log(`hover with Continue/Ban/Boost links on the token and its 20 alternatives: ${hoverUs.toFixed(0)} µs  (target <= 1000 µs)`);

  const text = Array.from({ length: answer.store.tokenCount }, (_, i) => answer.store.token(i).token).join('');
  const copyMs = perCall(5, () => {
    const copy = new Answer(0, '\n', DEFAULT_THRESHOLDS);
    copy.inserted(copy.appendCopied(text, answer.store, answer.store.tokenCount).length);
    return copy.finish();
  });
  console.log(`branch prefix copied from the original, 10k tokens × 20 alternatives: ${copyMs.toFixed(1)} ms  (target <= 50 ms)`);

  const list: LogitBiasEntry[] = Array.from({ length: MAX_BIAS_ENTRIES }, (_, i) => ({ text: ` word${i}`, bias: -100, source: 'response-id', ids: [i], vocabulary: 'model:default' }));
  const bodyUs = perCall(2_000, () => logitBiasBody(list, capabilities, bias)) * 1000;
  console.log(`logit_bias body of a full list (${MAX_BIAS_ENTRIES} entries), built for every request: ${bodyUs.toFixed(0)} µs  (target <= 1000 µs)\n`);
  return Promise.resolve();
}
