// Synthetic but realistic runs for the runs benchmark: a Zipf-distributed vocabulary of word pieces, a sampled
// token usually ranked first among 20 alternatives whose logprobs fall off like a model's.
import type { RunRecord } from '../../src/core/runs/runRecord';
import type { TokenInput } from '../../src/core/runs/runTokens';
import { recordOf } from '../unit/runsHelpers';
import { seeded } from '../support/seeded';

const SYLLABLES = ['the', 'an', 'ing', 'tion', 'er', 'al', 'con', 'pro', 're', 'st', 'ly', 'ment', 'ou', 'ch', 'in', 'ed', 'or', 'ic', 'ab', 'um'];
const PUNCTUATION = [',', '.', '\n', ':', ';', '(', ')', '"', '\n\n', ' -', '?', '!'];

/** A vocabulary of `size` pieces ordered by frequency rank, and its cumulative Zipf weights (s = 1.07). */
export function zipfVocabulary(size: number, random: () => number): { words: string[]; cumulative: Float64Array; total: number } {
  const words: string[] = [];
  const seen = new Set<string>();
  for (let rank = 0; words.length < size; rank++) {
    let word = rank < PUNCTUATION.length * 3 && rank % 3 === 1 ? PUNCTUATION[rank / 3 | 0]! : '';
    if (!word) {
      const syllables = 1 + Math.floor(random() * 3);
      for (let s = 0; s < syllables; s++) word += SYLLABLES[Math.floor(random() * SYLLABLES.length)]!;
      if (random() < 0.7) word = ` ${word}`;
      if (random() < 0.05) word = word[0] === ' ' ? ` ${word[1]!.toUpperCase()}${word.slice(2)}` : word.toUpperCase();
    }
    if (seen.has(word)) continue;
    seen.add(word);
    words.push(word);
  }
  const cumulative = new Float64Array(size);
  let total = 0;
  for (let r = 0; r < size; r++) cumulative[r] = total += 1 / (r + 2.7) ** 1.07;
  return { words, cumulative, total };
}

/** The rank whose cumulative weight first reaches `uniform` × total. */
function drawZipf(cumulative: Float64Array, total: number, uniform: number): number {
  const target = uniform * total;
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (cumulative[middle]! < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

let vocabulary: ReturnType<typeof zipfVocabulary> | undefined;

/** Token entries: the first alternative is sampled 85 % of the time; logprobs drop by ~0.9 nats per rank. */
export function syntheticEntries(count: number, alternatives: number, seed: number): TokenInput[] {
  const random = seeded(seed);
  // One vocabulary for every run (as one model has one), drawn with each run's own generator.
  vocabulary ??= zipfVocabulary(30_000, seeded(1));
  const { words, cumulative, total } = vocabulary;
  const draw = (): number => drawZipf(cumulative, total, random());
  const entries: TokenInput[] = [];
  for (let i = 0; i < count; i++) {
    const top: { token: string; logprob: number }[] = [];
    const used = new Set<number>();
    let logprob = -((random() * 0.8) ** 3);
    while (top.length < alternatives) {
      const word = draw();
      if (used.has(word)) continue;
      used.add(word);
      top.push({ token: words[word]!, logprob });
      logprob -= 0.05 + -Math.log(1 - random()) * 0.85;
    }
    const pick = random() < 0.85 ? 0 : Math.floor(random() * Math.min(alternatives, 5));
    const chosen = top[pick] ?? { token: words[draw()]!, logprob: -3 };
    entries.push({ token: chosen.token, logprob: chosen.logprob, top_logprobs: top });
  }
  return entries;
}

/** A run of `count` tokens, each placed on its own text (as a stream of whole-character tokens is). */
export function syntheticRecord(count: number, alternatives: number, seed: number, entries = syntheticEntries(count, alternatives, seed)): RunRecord {
  return recordOf(entries, {
    createdAt: 1_750_000_000_000 + seed,
    offset: 120,
    request: { messages: [{ role: 'system', content: 'Answer briefly.' }, { role: 'user', content: `Prompt number ${seed % 7}: explain the thing.` }], topLogprobs: alternatives, sampling: { temperature: 0.7 + (seed % 3) * 0.1, maxTokens: count } },
    endpoint: { profile: 'local', host: 'localhost:8000', model: seed % 2 === 0 ? 'qwen2.5-7b' : 'llama3.2', apiStyle: 'chat' },
    timings: { firstTokenMs: 180, totalMs: count * 12 },
  });
}
