import * as assert from 'node:assert/strict';
import type { HistoryEntry } from '../../src/core/runs/history';
import { describeSettingsChange, RunHistory, runLabel, runTime, runTooltip, runTree } from '../../src/core/runs/history';
import type { RunInput, RunMeta } from '../../src/core/runs/runRecord';
import { metaOf } from '../../src/core/runs/runRecord';
import { recordOf, token } from './runsHelpers';

const MINUTE = 60_000;
const T0 = Date.UTC(2025, 5, 14, 9, 0);

function run(id: string, minute: number, overrides: Partial<RunInput> = {}): RunMeta {
  return metaOf(recordOf([token('Hi', 0.9)], { id, createdAt: T0 + minute * MINUTE, ...overrides }));
}

const entry = (meta: RunMeta, megabytes = 1): HistoryEntry => ({ meta, bytes: megabytes * 1024 * 1024 });
const group = (id: string, index: number, size = 2) => ({ group: { id, kind: 'samples' as const, index, size, label: `sample ${index + 1}` } });

describe('runs: history limits', () => {
  it('drops the oldest runs first past maxRuns, and says which', () => {
    const history = new RunHistory({ maxRuns: 2, maxMegabytes: 100 });
    assert.deepEqual(history.add(entry(run('b', 2))), []);
    assert.deepEqual(history.add(entry(run('a', 1))), []);
    assert.deepEqual(history.add(entry(run('c', 3))), ['a']);
    assert.deepEqual(history.list().map((meta) => meta.id), ['c', 'b'], 'newest first');
  });

  it('drops the oldest past maxMegabytes, never the run just added', () => {
    const history = new RunHistory({ maxRuns: 100, maxMegabytes: 3 });
    history.add(entry(run('a', 1), 1));
    history.add(entry(run('b', 2), 1));
    assert.deepEqual(history.add(entry(run('c', 3), 2)), ['a'], '4 MB > 3 MB: the oldest goes');
    assert.deepEqual(history.add(entry(run('d', 4), 10)), ['b', 'c'], 'a run larger than the limit stays alone');
    assert.equal(history.totalBytes, 10 * 1024 * 1024);
  });

  it('keeps or drops a sample set as a whole', () => {
    const history = new RunHistory({ maxRuns: 3, maxMegabytes: 100 });
    history.add(entry(run('s1', 1, group('set', 0))));
    history.add(entry(run('s2', 2, group('set', 1))));
    history.add(entry(run('x', 3)));
    assert.deepEqual(history.add(entry(run('y', 4))).sort(), ['s1', 's2'], 'four runs > 3: the oldest unit is the whole set');
  });

  it('applies lowered limits, and clears everything', () => {
    const history = new RunHistory({ maxRuns: 10, maxMegabytes: 100 }, [entry(run('a', 1)), entry(run('b', 2)), entry(run('c', 3))]);
    assert.deepEqual(history.setLimits({ maxRuns: 1, maxMegabytes: 100 }), ['a', 'b']);
    assert.deepEqual(history.clear(), ['c']);
    assert.equal(history.size, 0);
  });

  it('finds the previous run of the same prompt, not one of another prompt or of its own sample set', () => {
    const other = { request: { messages: [{ role: 'user', content: 'Another prompt' }], topLogprobs: 5, sampling: {} } };
    const history = new RunHistory({ maxRuns: 10, maxMegabytes: 100 }, [
      entry(run('old', 1)), entry(run('previous', 2)), entry(run('otherPrompt', 3, other)),
      entry(run('s1', 4, group('set', 0))), entry(run('s2', 5, group('set', 1))),
    ]);
    assert.equal(history.previousOfSamePrompt(history.get('s2')!)?.id, 'previous');
    assert.equal(history.previousOfSamePrompt(history.get('previous')!)?.id, 'old');
    assert.equal(history.previousOfSamePrompt(history.get('old')!), undefined);
  });
});

describe('runs: what changed since the previous run', () => {
  it('names each changed setting with both values, in tuning order', () => {
    const before = run('a', 1, { request: { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Q' }], topLogprobs: 5, sampling: { temperature: 0.7, maxTokens: 100 } } });
    const after = run('b', 2, {
      request: { messages: [{ role: 'system', content: 'Be thorough.' }, { role: 'user', content: 'Q' }], topLogprobs: 10, sampling: { temperature: 1, seed: 3, maxTokens: 100 }, extraBody: { top_k: 40, logit_bias: { 1: -100 } } },
      endpoint: { profile: 'local', host: 'localhost:8000', model: 'llama3.2', apiStyle: 'chat' },
    });
    assert.equal(describeSettingsChange(before, after),
      'model qwen2.5-7b → llama3.2, temperature 0.7 → 1.0, seed default → 3, alternatives 5 → 10, system prompt changed, logit_bias changed, top_k default → 40');
  });

  it('is empty when nothing changed, and sees a logit bias in another key order as the same', () => {
    const a = run('a', 1, { request: { messages: [{ role: 'user', content: 'Q' }], topLogprobs: 5, sampling: {}, extraBody: { logit_bias: { 1: -100, 2: 5 } } } });
    const b = run('b', 2, { request: { messages: [{ role: 'user', content: 'Q' }], topLogprobs: 5, sampling: {}, extraBody: { logit_bias: { 2: 5, 1: -100 } } } });
    assert.equal(describeSettingsChange(a, b), '');
  });

  it('says when a system prompt or a prefill was added', () => {
    const plain = run('a', 1, { request: { messages: [{ role: 'user', content: 'Q' }], topLogprobs: 5, sampling: {} } });
    const withBoth = run('b', 2, { request: { messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'Q' }, { role: 'assistant', content: 'The answer is' }], topLogprobs: 5, sampling: {} } });
    assert.equal(describeSettingsChange(plain, withBoth), 'system prompt added, prefill changed');
  });
});

describe('runs: the Runs tree', () => {
  it('groups by document (newest document first), nests branches, keeps sample sets together in their order', () => {
    const other = { document: { uri: 'file:///b.md', name: 'b.md' } };
    const tree = runTree([
      run('a1', 1),
      run('b1', 2, other),
      run('a2', 3),
      run('branch', 4, { kind: 'branch', parent: { runId: 'a1', tokenIndex: 3 } }),
      run('orphan', 5, { kind: 'branch', parent: { runId: 'gone', tokenIndex: 0 } }),
      run('s2', 6, group('set', 1)),
      run('s1', 6, group('set', 0)),
    ]);
    assert.deepEqual(tree.map((document) => document.name), ['notes.md', 'b.md']);
    const shape = tree[0]!.runs.map((node) => (node.type === 'group'
      ? `group ${node.group.id}: ${node.members.map((member) => (member.type === 'run' ? member.meta.id : '?')).join(' ')}`
      : `${node.meta.id}${node.branches.length > 0 ? ` > ${node.branches.map((b) => (b.type === 'run' ? b.meta.id : '?')).join(' ')}` : ''}`));
    assert.deepEqual(shape, ['group set: s1 s2', 'orphan', 'a2', 'a1 > branch']);
  });

  it('labels a run with model, time, tokens, perplexity and uncertain count, and shows the outcome when not done', () => {
    // One token at p 0.9: perplexity 1 / 0.9 = 1.11; not uncertain.
    const meta = run('a', 0);
    assert.equal(runLabel(meta, { timeZone: 'UTC', now: T0 }), 'qwen2.5-7b · 09:00 · 1 token · ppl 1.11 · 0 uncertain');
    assert.equal(runLabel(run('b', 0, { outcome: 'truncated' }), { timeZone: 'UTC', now: T0 }), 'qwen2.5-7b · 09:00 · 1 token · ppl 1.11 · 0 uncertain · truncated');
    assert.equal(runTime(T0, { timeZone: 'UTC', now: T0 + 86_400_000 }), 'Jun 14 09:00', 'another day shows the date');
  });

  it('puts the prompt start and every setting in the tooltip', () => {
    const meta = run('a', 0, { request: { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: `Explain\n\nthis ${'x'.repeat(400)}` }], topLogprobs: 5, sampling: { temperature: 0.7 }, extraBody: { top_k: 40 } } });
    const lines = runTooltip(meta, { timeZone: 'UTC', now: T0 }).split('\n');
    assert.equal(lines[0], `Prompt: Explain this ${'x'.repeat(286)}…`, 'whitespace collapsed, cut at 300 characters');
    assert.deepEqual(lines.slice(1), [
      'System prompt: Be brief.',
      'Model: qwen2.5-7b at localhost:8000 (profile local), chat API',
      'Settings: temperature 0.7 · top_p default · max_tokens default · seed default · stop default · presence_penalty default · frequency_penalty default · alternatives 5',
      'Extra fields: top_k 40',
      'completion · done · 09:00 · first token 120 ms · total 0.9 s',
      '1 token · perplexity 1.11 · mean probability 90.00 % · 0 below 50.00 %',
    ]);
  });
});
