// Figures for reading untrusted and logged responses: the entry checks on the live chat path, and Open Logprobs
// Response on large files. Prints numbers; asserts nothing.
import { chatChunkDelta } from '../../src/core/chatChunk';
import { readLogged } from '../../src/core/logged';

function entry(i: number, alternatives: number): Record<string, unknown> {
  const token = ` w${i % 97}`;
  return {
    token, logprob: -(i % 13) / 7, bytes: [...Buffer.from(token)],
    top_logprobs: Array.from({ length: alternatives }, (_, k) => ({ token: `${token}${k}`, logprob: -k * 0.5, bytes: [...Buffer.from(`${token}${k}`)] })),
  };
}

function timeEach(count: number, run: (i: number) => void): number {
  const began = performance.now();
  for (let i = 0; i < count; i++) run(i);
  return ((performance.now() - began) / count) * 1e6;
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

export async function runLoggedBench(): Promise<void> {
  const chunks = Array.from({ length: 20_000 }, (_, i) => ({
    object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: ` w${i % 97}` }, finish_reason: null, logprobs: { content: [entry(i, 20)], refusal: null } }],
  }));
  const malformed = chunks.map((chunk) => ({ ...chunk, choices: [{ ...chunk.choices[0]!, logprobs: { content: [{ token: 7 }, ...chunk.choices[0]!.logprobs.content] } }] }));
  const wellFormed = Math.min(...Array.from({ length: 9 }, () => timeEach(chunks.length, (i) => chatChunkDelta(chunks[i]))));
  const repaired = Math.min(...Array.from({ length: 9 }, () => timeEach(malformed.length, (i) => chatChunkDelta(malformed[i]))));
  console.log('untrusted entries, one chat chunk of 1 token × 20 alternatives (best of 9 runs of 20k chunks)');
  console.log(`chat chunk read and checked: ${wellFormed.toFixed(0)} ns/chunk (target: well under 5% of the ~32 µs/token the SDK costs)`);
  console.log(`chat chunk with a malformed entry dropped: ${repaired.toFixed(0)} ns/chunk\n`);

  const llamaStream = Array.from({ length: 20_000 }, (_, i) => `data: ${JSON.stringify({ index: 0, content: ` w${i % 97}`, stop: false, completion_probabilities: [{ id: i, ...entry(i, 10) }] })}\n\n`).join('');
  const chatStream = chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join('');
  await Promise.resolve();
  for (const [name, text] of [['llama.cpp /completion stream, 20k tokens × 10 alternatives', llamaStream], ['Chat Completions stream, 20k tokens × 20 alternatives', chatStream]] as const) {
    const ms = median([0, 1, 2].map(() => {
      const began = performance.now();
      readLogged(text);
      return performance.now() - began;
    }));
    console.log(`Open Logprobs Response, ${name} (${(text.length / 1024 / 1024).toFixed(1)} MB): ${ms.toFixed(0)} ms, ${(text.length / 1024 / 1024 / (ms / 1000)).toFixed(0)} MB/s`);
  }
}
