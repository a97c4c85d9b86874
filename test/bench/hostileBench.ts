// Alignment under a hostile or broken server: tokens that never match the text, text long before its tokens,
// tokens long before their text. Prints figures (median of a few runs, performance.now); asserts nothing.
import { TokenAligner } from '../../src/core/aligner';
import type { TokenEntry } from '../../src/core/logprob';

const TOKENS = 20_000;
const RUNS = 5;
const WORDS = [' the', ' model', ' was', ' fairly', ' sure', ',', ' and', ' less', ' so', ' here', '.', '\n', ' 💙'];

const entry = (token: string): TokenEntry => ({ token, logprob: -0.5, bytes: null, top_logprobs: [] });
const words = Array.from({ length: TOKENS }, (_, i) => WORDS[i % WORDS.length]!);

/** How a stream reaches the aligner: each delta's text, then its tokens. */
type Feed = (aligner: TokenAligner) => void;

const feeds: Record<string, Feed> = {
  // A server whose tokens never spell its text, each one a near miss (the worst case for a substring search):
  // every token is looked for and given up.
  hostile(aligner) {
    const text = 'a'.repeat(32);
    const nearMiss = entry(`${'a'.repeat(31)}b`);
    for (let i = 0; i < TOKENS; i++) {
      aligner.appendText(text);
      aligner.addToken(i, nearMiss);
    }
  },
  normal(aligner) {
    for (let i = 0; i < TOKENS; i++) {
      aligner.appendText(words[i]!);
      aligner.addToken(i, entry(words[i]!));
    }
  },
  // A non-streamed response (or a backend that sends the logprob rows at the end): all text, then all tokens.
  'text first'(aligner) {
    aligner.appendText(words.join(''));
    for (let i = 0; i < TOKENS; i++) aligner.addToken(i, entry(words[i]!));
  },
  // All rows first, then the text in small pieces.
  'tokens first'(aligner) {
    for (let i = 0; i < TOKENS; i++) aligner.addToken(i, entry(words[i]!));
    for (let i = 0; i < TOKENS; i++) aligner.appendText(words[i]!);
  },
};

function microsecondsPerToken(feed: Feed): { perToken: number; placed: number } {
  const times: number[] = [];
  let placed = 0;
  for (let run = 0; run < RUNS; run++) {
    placed = 0;
    const aligner = new TokenAligner(() => placed++);
    const began = performance.now();
    feed(aligner);
    aligner.finish();
    times.push(performance.now() - began);
  }
  times.sort((a, b) => a - b);
  return { perToken: (times[Math.floor(RUNS / 2)]! * 1000) / TOKENS, placed };
}

// eslint-disable-next-line @typescript-eslint/require-await -- the bench interface is async
export async function runHostileBench(): Promise<void> {
  const over = `over ${TOKENS / 1000}k tokens`;
  for (const [name, feed] of Object.entries(feeds)) {
    const { perToken, placed } = microsecondsPerToken(feed);
    const note = name === 'hostile' ? `target <= 20; median of ${RUNS} runs` : `${placed} placed`;
    console.log(`${name} alignment: ${perToken.toFixed(2)} µs/token ${over} (${note})`);
  }
}
