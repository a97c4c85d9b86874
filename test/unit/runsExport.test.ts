import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { Answer } from '../../src/core/answer';
import { bucketOf, DEFAULT_THRESHOLDS } from '../../src/core/buckets';
import type { ChunkDelta } from '../../src/core/chatChunk';
import { formatLogprob, formatPercent } from '../../src/core/format';
import { hoverMarkdown } from '../../src/core/hoverMarkdown';
import { RunDecodeError } from '../../src/core/runs/codec';
import { csvField, runToCsv } from '../../src/core/runs/export/csv';
import { DEFAULT_PALETTE, runToHtml } from '../../src/core/runs/export/html';
import { isRunExport, readRunExport, runToJson } from '../../src/core/runs/export/json';
import type { RunRecord } from '../../src/core/runs/runRecord';
import { createRunRecord } from '../../src/core/runs/runRecord';
import { restoredStore } from '../../src/core/runs/restore';
import { placeDeltas } from '../../src/core/runs/runTokens';
import type { TokenStore } from '../../src/core/tokenStore';
import { readLogged } from '../../src/core/logged';
import { ollamaChunkDelta } from '../../src/core/logged/ollama';
import { providerFixtures, readFixture, repoRoot, syntheticFixtures } from '../support/fixtures';
import { recordOf, token } from './runsHelpers';

/** Every recorded response Open Logprobs Response reads, as deltas. */
function recordedResponses(): [string, readonly ChunkDelta[]][] {
  const providers = fs.readdirSync(providerFixtures).filter((name) => /\.(sse\.txt|json)$/.test(name) && !name.includes('.meta.'));
  const synthetic = fs.readdirSync(syntheticFixtures).filter((name) => /\.(sse\.txt|json)$/.test(name));
  return [
    ...providers.map((name): [string, readonly ChunkDelta[]] => {
      if (!name.startsWith('ollama-')) return [name, answerDeltas(readFixture(name))];
      const example = JSON.parse(readFixture(name)) as Record<string, unknown>;
      return [name, [ollamaChunkDelta(example.example_chunk_top_logprobs)]];
    }),
    ...synthetic.map((name): [string, readonly ChunkDelta[]] => [name, answerDeltas(fs.readFileSync(path.join(syntheticFixtures, name), 'utf8'))]),
  ].filter(([, deltas]) => deltas.length > 0);
}

/** The deltas of a recorded answer; none for a recording with no text (a tool call), which has no run to export. */
function answerDeltas(text: string): readonly ChunkDelta[] {
  const result = readLogged(text);
  return result.kind === 'answer' ? result.deltas : [];
}

function loggedRun(deltas: readonly ChunkDelta[]): RunRecord {
  const placed = placeDeltas(deltas);
  return createRunRecord({
    kind: 'logged', createdAt: 0, document: { uri: 'untitled:Untitled-1', name: 'Untitled-1' }, offset: 0,
    request: { messages: [], topLogprobs: 0, sampling: {} }, endpoint: { host: 'api.openai.com', model: 'gpt-4o' },
    outcome: 'done', text: placed.text, tokens: placed.tokens, placements: placed.placements, uncertainThreshold: 0.5,
  });
}

/** Per placement: its text range, its colour bucket and its hover, as the editor shows them. */
function rendering(store: TokenStore, text: string): unknown[] {
  return Array.from({ length: store.placementCount }, (_, p) => {
    const { start, end, firstToken, tokenCount } = store.placement(p);
    const tokens = Array.from({ length: tokenCount }, (_, i) => store.token(firstToken + i));
    // A placement's probability is the joint one of its tokens.
    const logprob = tokens.some((token) => token.logprob === undefined) ? undefined : tokens.reduce((sum, token) => sum + token.logprob!, 0);
    return [text.slice(start, end), logprob === undefined ? null : bucketOf(Math.exp(logprob), DEFAULT_THRESHOLDS), hoverMarkdown(tokens)];
  });
}

describe('runs: JSON export', () => {
  for (const [name, deltas] of recordedResponses()) {
    it(`${name}: reopens with identical text, colours and hovers`, () => {
      // The answer as it streamed (the live path), then exported, parsed and read back.
      const live = new Answer(0, '\n', DEFAULT_THRESHOLDS);
      let liveText = '';
      for (const delta of deltas) liveText += live.append(delta.text, delta.tokens);
      liveText += live.finish();
      const json = runToJson(loggedRun(deltas));
      const parsed: unknown = JSON.parse(json);
      assert.ok(isRunExport(parsed));
      const reopened = readRunExport(parsed);
      assert.equal(reopened.text, liveText);
      assert.deepEqual(rendering(restoredStore(reopened.tokens, reopened.placements), reopened.text), rendering(live.store, liveText));
      // Open Logprobs Response recognises the export by shape and hands back the same record.
      const opened = readLogged(json);
      assert.equal(opened.kind, 'run');
      if (opened.kind === 'run') assert.deepEqual(rendering(restoredStore(opened.record.tokens, opened.record.placements), opened.record.text), rendering(live.store, liveText));
    });
  }

  it('writes the documented shape: format marker, version, OpenAI-shaped tokens, float32 alternatives at their shortest', () => {
    const json = JSON.parse(runToJson(recordOf([{ token: 'Hi', logprob: -0.02, id: 3, top_logprobs: [{ token: 'Hi', logprob: -0.02 }, { token: 'Yo', logprob: Number.NEGATIVE_INFINITY }] }]))) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json), ['format', 'version', 'run', 'text', 'tokens', 'placements']);
    assert.equal(json.format, 'logprob-lens/run');
    assert.equal(json.version, 1);
    assert.deepEqual(json.tokens, [{ token: 'Hi', logprob: -0.02, id: 3, top_logprobs: [{ token: 'Hi', logprob: -0.02 }, { token: 'Yo', logprob: null }] }]);
    assert.deepEqual(json.placements, [[0, 2, 0, 1]]);
  });

  it('is told apart from other JSON, and refuses a newer version or a malformed token with the reason', () => {
    assert.equal(isRunExport({ object: 'chat.completion', choices: [] }), false);
    assert.equal(isRunExport(null), false);
    const parsed = JSON.parse(runToJson(recordOf([token('Hi', 0.5)]))) as Record<string, unknown>;
    assert.throws(() => readRunExport({ ...parsed, version: 2 }), (error: unknown) => error instanceof RunDecodeError && error.reason === 'newer');
    assert.throws(() => readRunExport({ ...parsed, tokens: [{ token: 'Hi', logprob: 'high', top_logprobs: [] }] }),
      (error: unknown) => error instanceof RunDecodeError && error.message === 'This run export is invalid: token 0 has a logprob that is not a number.');
    assert.throws(() => readRunExport({ ...parsed, placements: [[0, 99, 0, 1]] }), /place 0 \(0-99\) is outside the text/);
    assert.throws(() => readRunExport({ ...parsed, text: 'Ho' }), /does not match the run's text hash/);
    assert.throws(() => readRunExport({ choices: [] }), (error: unknown) => error instanceof RunDecodeError && error.reason === 'foreign');
  });
});

describe('runs: CSV export', () => {
  it('writes one row per token with RFC 4180 quoting and defused formulas (hand-written rows)', () => {
    // Alternatives are float32: ln 0.5 is -0.693147182464599609375 there, written with 8 digits as -0.69314718;
    // ln 0.25 is -1.38629436492919921875, written -1.3862944.
    const csv = runToCsv(recordOf([
      token('a,b', 0.5, [['a,b', 0.5]]),
      token('say "hi"', 0.5),
      token('line\nbreak', 0.5),
      token('=SUM(A1)', 0.5),
      token('-', 0.25, [['+', 0.5], ['-', 0.25]]),
      token(' lead', null),
    ]));
    assert.deepEqual(csv.split('\r\n'), [
      'index,start,end,token,logprob,probability,rank,entropy_bits,alternatives',
      '0,0,3,"a,b",-0.6931471805599453,0.5,1,0,"[{""token"":""a,b"",""logprob"":-0.69314718}]"',
      '1,3,11,"say ""hi""",-0.6931471805599453,0.5,,,[]',
      '2,11,21,"line\nbreak",-0.6931471805599453,0.5,,,[]',
      "3,21,29,'=SUM(A1),-0.6931471805599453,0.5,,,[]",
      // Alternatives 0.5 / 0.25 renormalised to 2/3, 1/3: entropy log2(3) − 2/3 = 0.918296 bits (6 digits: float32 inputs).
      `4,29,30,'-,-1.3862943611198906,0.25,2,${(Math.log2(3) - 2 / 3).toPrecision(6)},"[{""token"":""+"",""logprob"":-0.69314718},{""token"":""-"",""logprob"":-1.3862944}]"`,
      '5,30,35," lead",,,,,[]',
      '',
    ]);
  });

  it('quotes exactly the fields that need it', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a\rb'), '"a\rb"');
    assert.equal(csvField('trailing '), '"trailing "');
    assert.equal(csvField('"'), '""""');
  });
});

describe('runs: HTML export', () => {
  const hostile = loggedRun(answerDeltas(fs.readFileSync(path.join(syntheticFixtures, 'hostile-token.sse.txt'), 'utf8')));

  it('is only its own markup: hostile tokens and prompts render as text, nothing is loaded', () => {
    const breakout = recordOf([token('</script><script>alert(1)</script>', 0.5, [['<img src=x onerror=alert(1)>', 0.5]]), token(' & <b>', 0.5)],
      { request: { messages: [{ role: 'user', content: '<iframe src="https://evil.example"></iframe>' }], topLogprobs: 1, sampling: {} } });
    for (const html of [runToHtml(hostile), runToHtml(breakout)]) {
      const tags = new Set([...html.matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map((match) => match[1]!.toLowerCase()));
      const allowed = ['html', 'head', 'meta', 'title', 'style', 'body', 'main', 'header', 'p', 'h1', 'h2', 'section', 'div', 'span', 'details', 'summary', 'pre', 'ul', 'li', 'footer', 'script'];
      assert.deepEqual([...tags].filter((tag) => !allowed.includes(tag)), [], 'no element the exporter did not write');
      assert.equal(html.match(/<script/g)?.length, 2, 'the data block and the page script, nothing else');
      const markup = [...html.matchAll(/<[a-zA-Z][^>]*>/g)].map((match) => match[0]).join('\n');
      assert.doesNotMatch(markup, /\s(src|href|action|formaction|srcset|on\w+)=/i, 'no attribute that loads or runs anything');
      assert.doesNotMatch(html, /url\(|@import/i);
      assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[^']+'; script-src 'sha256-[^']+'; base-uri 'none'; form-action 'none'">/);
    }
    assert.ok(runToHtml(breakout).includes('<span class="c6">&#60;/script&#62;&#60;script&#62;alert(1)&#60;/script&#62;</span>'), 'escaped in the answer (50 % is in bucket 6, 50–65 %)');
  });

  it('allows exactly its own style and script by hash', () => {
    const html = runToHtml(hostile);
    const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    assert.ok(html.includes(`style-src ${hash(style)}; script-src ${hash(script)};`));
  });

  it('colours each placement by its bucket (hand-picked probabilities) and leaves unknown ones plain', () => {
    const html = runToHtml(recordOf([token('a', 0.005), token('b', 0.4), token('c', 0.97), token('d', null)]));
    const answer = /<div id="answer"[^>]*>(.*?)<\/div>/.exec(html)![1];
    // 0.5 % is below 1 % (bucket 0); 40 % is in 35–50 % (bucket 5); 97 % in 95–100 % (bucket 9).
    assert.equal(answer, '<span class="c0">a</span><span class="c5">b</span><span class="c9">c</span><span>d</span>');
  });

  it('uses the palette of package.json', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { contributes: { colors: { id: string; defaults: { dark: string; light: string } }[] } };
    const colours = Array.from({ length: 10 }, (_, bucket) => manifest.contributes.colors.find((colour) => colour.id === `logprobLens.confidence${bucket}`)!.defaults);
    assert.deepEqual(DEFAULT_PALETTE.dark, colours.map((colour) => colour.dark));
    assert.deepEqual(DEFAULT_PALETTE.light, colours.map((colour) => colour.light));
  });

  it('formats numbers in the page exactly as the editor\'s hover does', () => {
    const script = /<script>([\s\S]*?)<\/script>/.exec(runToHtml(hostile))![1]!;
    const source = (name: string): string => new RegExp(`var ${name} = ([\\s\\S]*?);\\nvar `).exec(script)![1]!;
    const pagePercent = vm.runInNewContext(`(${source('formatPercent')})`) as typeof formatPercent;
    const pageLogprob = vm.runInNewContext(`(${source('formatLogprob')})`) as typeof formatLogprob;
    for (const value of [undefined, 0, 1e-9, 0.00004, 0.0123, 0.5, 0.99996, 1]) assert.equal(pagePercent(value), formatPercent(value));
    for (const value of [undefined, Number.NEGATIVE_INFINITY, 0, -0.02, -1.23456, -9999, -1e30]) assert.equal(pageLogprob(value), formatLogprob(value));
  });
});
