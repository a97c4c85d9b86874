import * as assert from 'node:assert/strict';
import { encode as o200kEncode } from 'gpt-tokenizer/encoding/o200k_base';
import * as vscode from 'vscode';
import { bucketOf, DEFAULT_THRESHOLDS } from '../../../src/core/buckets';
import { actionArgs } from '../../../src/core/hoverActions';
import { FORCED_TOKEN_NOTE, LOGPROBS_IGNORE_BIAS_NOTE } from '../../../src/core/steering';
import type { LogprobLensApi } from '../../../src/extension';
import type { TrackedAnswer } from '../../../src/vscode/editor/trackedAnswer';
import type { FilledAnswerEvent } from '../../../src/vscode/runs/journal';
import type { RunResult } from '../../../src/vscode/runs/result';
import type { BiasResult } from '../../../src/vscode/steering/commands';
import type { ReplayServer } from '../../support/replayServer';
import { complete, editorWith, hoverAt, lens, replaySuite, waitFor } from './helpers';

/** The recorded Azure gpt-4o answer "4 + 4 = 8": tokens "4", " +", " ", "4", " =" (at 5-7), " ", "8". */
const FOUR = 'azure-openai-chat-stream-top3-llamastack';
const FOUR_PROMPT = 'What is 4+4?';
const FOUR_TEXT = '4 + 4 = 8';
/** " =" is token 4; its recorded alternatives are " =", " equals", " is" (stored in that order). */
const EQUALS_TOKEN = 4;
/** test/fixtures/steering/steering-continue-equals.sse.txt: " ", "8", "." after the forced start "4 + 4 equals". */
const BRANCHED = '4 + 4 equals 8.';

const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('logprobLens');
type Body = Record<string, unknown>;
const lastMessage = (body: Body | undefined): unknown => (body?.messages as unknown[] | undefined)?.at(-1);

/** The links of a hover line: label, command and the arguments VS Code would pass (JSON of the decoded query). */
function linksOf(line: string): { label: string; command: string; args: unknown[] }[] {
  return [...line.matchAll(/\[([^\]]+)\]\(command:([\w.]+)\?([^\s)]+) "[^"]*"\)/g)]
    .map(([, label, command, query]) => ({ label: label!, command: command!, args: JSON.parse(decodeURIComponent(query!)) as unknown[] }));
}

/**
 * A hover's link, as a user clicks it: in the row of `row` (an alternative's visible text, e.g. "`␣equals`"), or
 * on the token's own line when `row` is undefined.
 */
async function hoverLink(document: vscode.TextDocument, offset: number, label: string, row?: string): Promise<{ command: string; args: unknown[] }> {
  const markdown = await hoverAt(document, offset);
  const lines = markdown.split('\n');
  const line = row === undefined ? lines.find((candidate) => !candidate.startsWith('|') && linksOf(candidate).length > 0) : lines.find((candidate) => candidate.startsWith('|') && candidate.includes(row));
  const link = line && linksOf(line).find((candidate) => candidate.label === label);
  assert.ok(link, `no “${label}” link ${row ? `in the row of ${row}` : 'under the token'}:\n${markdown}`);
  return link;
}

async function click(link: { command: string; args: unknown[] }): Promise<unknown> {
  return vscode.commands.executeCommand<unknown>(link.command, ...link.args);
}

describe('Steering from the hover in a real editor', () => {
  const suite = replaySuite();
  let server: ReplayServer;
  let api: LogprobLensApi;
  const filled: FilledAnswerEvent[] = [];
  let listening: vscode.Disposable | undefined;
  before(async () => {
    api = await lens();
    listening = api.journal.onDidFillAnswer((event) => filled.push(event));
  });
  after(() => {
    listening?.dispose();
  });
  beforeEach(() => {
    server = suite.server;
    filled.length = 0;
  });
  afterEach(async () => {
    server.chooseRecording = undefined;
    await api.steering.bias.clear(api.steering.settingsInUse());
    for (const key of ['endpoints', 'endpoint', 'branchOutput', 'apiStyle']) await config().update(key, undefined, vscode.ConfigurationTarget.Global);
  });

  /** Makes `name` the endpoint in use: the replay server, with the given preset and fields. */
  async function useProfile(name: string, profile: Record<string, unknown>): Promise<void> {
    await config().update('endpoints', { [name]: { baseUrl: server.baseUrl, model: FOUR, ...profile } }, vscode.ConfigurationTarget.Global);
    await config().update('endpoint', name, vscode.ConfigurationTarget.Global);
  }

  /** A completed answer to `prompt` and its tracked record. */
  async function answer(prompt = FOUR_PROMPT): Promise<{ editor: vscode.TextEditor; result: RunResult; tracked: TrackedAnswer }> {
    const editor = await editorWith(prompt);
    const result = await complete();
    assert.ok(result.outcome === 'done' || result.outcome === 'incomplete' || result.outcome === 'truncated', result.message);
    const tracked = api.tracker.answers(editor.document).at(-1);
    assert.ok(tracked);
    return { editor, result, tracked };
  }

  /** Branch requests get the hand-written continuation; everything else the model's recording. */
  function continueWithRecording(recording: string): void {
    server.chooseRecording = (path, body) => {
      const prompt = body?.prompt;
      const forced = (lastMessage(body) as { role?: string } | undefined)?.role === 'assistant' || (typeof prompt === 'string' && prompt.endsWith('_'));
      return forced ? recording : undefined;
    };
  }

  describe('Continue with this token', () => {
    it('replaces exactly the rest of the answer with the branch, in one undo group, its prefix, forced token and continuation coloured', async () => {
      await useProfile('vllm', { preset: 'vLLM' });
      const { editor, result, tracked: original } = await answer();
      const { document } = editor;
      const start = result.answerStart!;
      const before = document.getText();
      const originalBuckets = Array.from({ length: 4 }, (_, i) => original.answer.bucketOfPlacement(i));
      continueWithRecording('steering-continue-equals');
      const branched = await click(await hoverLink(document, start + 6, 'Continue', '`␣equals`')) as RunResult;
      assert.equal(branched.outcome, 'done', branched.message);
      assert.equal(document.getText(), `${FOUR_PROMPT}\n\n${BRANCHED}`, 'the old rest " = 8" is replaced, nothing else');

      const [branch] = api.tracker.answers(document);
      assert.ok(branch && branch !== original);
      assert.equal(branch.answer.start, start);
      assert.equal(branch.chosenToken, EQUALS_TOKEN);
      // The prefix "4 + 4" keeps the original's colours, placement by placement.
      for (let i = 0; i < 4; i++) assert.equal(branch.answer.bucketOfPlacement(i), originalBuckets[i], `prefix placement ${i}`);
      // " equals": p = e^-0.97826 (the recording's logprob for it) = 37.6 %, between the thresholds 0.35 and 0.5.
      assert.equal(branch.answer.bucketOfPlacement(4), bucketOf(Math.exp(-0.9782624244689941), DEFAULT_THRESHOLDS));
      const forcedHover = await hoverAt(document, start + 8);
      assert.match(forcedHover, /^`␣equals` · \*\*37\.60 %\*\* · logprob -0\.9783 · rank 2 of 3$/m);
      assert.ok(forcedHover.includes(FORCED_TOKEN_NOTE), forcedHover);
      // The continuation's "8" (-0.0000021) and "." (-0.1602) from the hand-written stream.
      assert.match(await hoverAt(document, start + BRANCHED.indexOf('8')), /^`8` · \*\*>99\.99 %\*\* · logprob \S+ · rank 1 of 3$/m);
      assert.match(await hoverAt(document, start + BRANCHED.length - 1), /^`\.` · \*\*85\.20 %\*\* · logprob -0\.1602 · rank 1 of 3$/m);
      assert.ok(!(await hoverAt(document, start + 1)).includes('Chosen by you'), 'a prefix token is the model\'s');

      await vscode.commands.executeCommand('undo');
      assert.equal(document.getText(), before, 'one Undo brings back the original');
      await waitFor('the original answer tracked again', () => api.tracker.answers(document)[0] === original);
      assert.match(await hoverAt(document, start + 6), /^`␣=` · \*\*61\.99 %\*\*/m);
    });

    it('records the branch as a run of its own whose parent is the original answer at that token', async () => {
      await useProfile('vllm', { preset: 'vLLM' });
      const { editor, result, tracked: original } = await answer();
      continueWithRecording('steering-continue-equals');
      await click(await hoverLink(editor.document, result.answerStart! + 6, 'Continue', '`␣equals`'));
      const branch = filled.at(-1)!;
      assert.equal(branch.source.kind, 'branch');
      assert.deepEqual(branch.source.lineage, { parent: { runId: original.id, tokenIndex: EQUALS_TOKEN } });
      assert.equal(branch.source.profile, 'vllm');
      assert.deepEqual(branch.source.request?.messages.at(-1), { role: 'assistant', content: '4 + 4 equals' });
    });

    // Each style's request, as the server received it: the prefix "4 + 4" and the alternative " equals" in place.
    const styles: [string, Record<string, unknown>, (body: Body) => void][] = [
      ['vLLM', { preset: 'vLLM' }, (body) => {
        assert.deepEqual(body.messages, [{ role: 'user', content: FOUR_PROMPT }, { role: 'assistant', content: '4 + 4 equals' }]);
        assert.equal(body.continue_final_message, true);
        assert.equal(body.add_generation_prompt, false);
      }],
      ['llama.cpp server', { preset: 'llama.cpp server' }, (body) => {
        assert.deepEqual(body.messages, [{ role: 'user', content: FOUR_PROMPT }, { role: 'assistant', content: '4 + 4 equals' }]);
        assert.deepEqual(body.chat_template_kwargs, { enable_thinking: false });
        assert.equal(body.continue_final_message, undefined);
      }],
      ['Ollama', { preset: 'Ollama' }, (body) => {
        assert.deepEqual(body.messages, [{ role: 'user', content: FOUR_PROMPT }, { role: 'assistant', content: '4 + 4 equals' }]);
        for (const field of ['continue_final_message', 'add_generation_prompt', 'chat_template_kwargs', 'logit_bias']) assert.equal(body[field], undefined, field);
      }],
      ['DeepSeek', { preset: 'DeepSeek' }, (body) => {
        assert.deepEqual(body.messages, [{ role: 'user', content: FOUR_PROMPT }, { role: 'assistant', content: '4 + 4 equals', prefix: true }]);
      }],
    ];
    for (const [name, profile, check] of styles) {
      it(`${name}: sends the prefix and the alternative as the final assistant message, and replaces the rest`, async () => {
        await useProfile(name, profile);
        const { editor, result } = await answer();
        continueWithRecording('steering-continue-equals');
        const branched = await click(await hoverLink(editor.document, result.answerStart! + 6, 'Continue', '`␣equals`')) as RunResult;
        assert.equal(branched.outcome, 'done', branched.message);
        const sent = server.requests.at(-1)!;
        assert.equal(sent.path, '/v1/chat/completions');
        check(sent.body!);
        assert.equal(editor.document.getText(), `${FOUR_PROMPT}\n\n${BRANCHED}`);
      });
    }

    it('legacy Completions: the prompt followed by the prefix, with no separator', async () => {
      await useProfile('davinci', { preset: 'OpenAI', apiStyle: 'completions', model: 'openai-legacy-completions-logprobs-issue38' });
      // The recorded " goal", whose alternatives are ",", "-", ".", "/", "_" (stored in that order).
      const { editor, result } = await answer('test');
      continueWithRecording('steering-continue-completions');
      const branched = await click(await hoverLink(editor.document, result.answerStart! + 2, 'Continue', '`_`')) as RunResult;
      assert.equal(branched.outcome, 'done', branched.message);
      const sent = server.requests.at(-1)!;
      assert.equal(sent.path, '/v1/completions');
      assert.equal(sent.body!.prompt, 'test_');
      assert.equal(editor.document.getText(), 'test\n\n_suite');
    });

    it('opens the branch beside, whole and coloured, when asked, leaving the original as it was', async () => {
      await useProfile('vllm', { preset: 'vLLM' });
      const { editor, result, tracked: original } = await answer();
      continueWithRecording('steering-continue-equals');
      const branched = await click(await hoverLink(editor.document, result.answerStart! + 6, 'beside', '`␣equals`')) as RunResult;
      assert.equal(branched.outcome, 'done', branched.message);
      const beside = vscode.workspace.textDocuments.find((document) => document.uri.toString() === branched.documentUri)!;
      assert.equal(beside.getText(), BRANCHED);
      assert.equal(editor.document.getText(), `${FOUR_PROMPT}\n\n${FOUR_TEXT}`);
      assert.equal(api.tracker.answers(editor.document)[0], original);
      const [branch] = api.tracker.answers(beside);
      assert.equal(branch!.answer.store.placementCount, 8);
      assert.ok((await hoverAt(beside, 7)).includes(FORCED_TOKEN_NOTE));
    });

    it('refuses on OpenAI chat, before sending anything, saying why and which setups can', async () => {
      await useProfile('openai', { preset: 'OpenAI' });
      const { editor, result } = await answer();
      const hover = await hoverAt(editor.document, result.answerStart! + 6);
      assert.ok(hover.includes('_Continue: needs an assistant prefill or legacy Completions_'), hover);
      assert.ok(!hover.includes('[Continue]'), 'no Continue link');
      const requests = server.requests.length;
      const [tracked] = api.tracker.answers(editor.document);
      const link = actionArgs({ answer: tracked!.id, token: EQUALS_TOKEN, tokenText: ' =', alternative: { index: 1, text: ' equals' } });
      const refused = await vscode.commands.executeCommand<RunResult>('logprobLens.continueWith', link);
      assert.equal(refused.outcome, 'refused');
      assert.match(refused.message ?? '', /^Continue from here needs an assistant prefill or legacy Completions, and “openai” \(Chat Completions\) has neither\. It works with Ollama, llama\.cpp server, vLLM, DeepSeek, or a Completions-capable model/);
      assert.equal(server.requests.length, requests, 'no request was sent');
      assert.equal(editor.document.getText(), `${FOUR_PROMPT}\n\n${FOUR_TEXT}`);
    });

    it('refuses a stale link: the token edited, or the answer gone', async () => {
      await useProfile('vllm', { preset: 'vLLM' });
      const { editor, result } = await answer();
      const link = await hoverLink(editor.document, result.answerStart! + 6, 'Continue', '`␣equals`');
      await editor.edit((builder) => builder.insert(editor.document.positionAt(result.answerStart! + 6), '='));
      const edited = await click(link) as RunResult;
      assert.equal(edited.outcome, 'refused');
      assert.equal(edited.message, 'That token was edited since the hover was shown: its text is no longer the model\'s.');
      await vscode.commands.executeCommand('logprobLens.clearColours');
      const gone = await click(link) as RunResult;
      assert.equal(gone.message, 'That answer is no longer tracked (it was edited, cleared or closed): hover it again.');
      const forged = await vscode.commands.executeCommand<RunResult>('logprobLens.continueWith', { ...link.args[0] as object, token: 'x' });
      assert.equal(forged.message, 'That link is not one Logprob Lens made: hover the token again.');
    });

    it('refuses, before sending, where Check Endpoint found that the server does not continue', async () => {
      await useProfile('ollama-probed', { preset: 'Ollama' });
      // This server answers the prefill probe with a fresh reply: no continuation.
      const report = await vscode.commands.executeCommand<{ capabilities: string[] }>('logprobLens.checkEndpoint');
      assert.ok(report.capabilities.includes('✘ does not continue a forced start (a final assistant message tried)'), report.capabilities.join('\n'));
      const { editor, result } = await answer();
      const requests = server.requests.length;
      const refused = await vscode.commands.executeCommand<RunResult>('logprobLens.continueWith', (await hoverLink(editor.document, result.answerStart! + 6, 'Inspect')).args[0]);
      assert.match(refused.message ?? '', /has neither\..*\(Check Endpoint found this on \d{4}-\d\d-\d\d; run it again after changing the server\.\)$/);
      assert.equal(server.requests.length, requests);
    });
  });

  describe('Ban and Boost', () => {
    it('OpenAI: the next request carries the tokenizer\'s ids of the banned and the boosted token, and its hover says so', async () => {
      await useProfile('openai', { preset: 'OpenAI', capabilities: { tokenizerEncoding: 'o200k_base' } });
      const { editor, result } = await answer();
      const banned = await click(await hoverLink(editor.document, result.answerStart! + 6, 'Ban', '`␣equals`')) as BiasResult;
      assert.equal(banned.added, true, banned.message);
      const boosted = await click(await hoverLink(editor.document, result.answerStart! + 6, 'Boost')) as BiasResult;
      assert.equal(boosted.added, true, boosted.message);
      // The recorded tokens " equals" and " =" as o200k_base encodes them, computed here by gpt-tokenizer directly.
      const equalsId = o200kEncode(' equals')[0]!;
      const isId = o200kEncode(' =')[0]!;
      assert.match(banned.message, new RegExp(`^Banned “␣equals” for the next runs on “openai” \\(logit bias -100, id ${equalsId} in o200k_base\\)\\.`));
      const again = await answer();
      assert.deepEqual(server.requests.at(-1)!.body!.logit_bias, { [String(equalsId)]: -100, [String(isId)]: 5 });
      const hover = await hoverAt(again.editor.document, again.result.answerStart! + 6);
      assert.ok(hover.includes(`**Boosted** in this run (logit bias +5). ${LOGPROBS_IGNORE_BIAS_NOTE}`), hover);
      await vscode.commands.executeCommand('logprobLens.rerunLast');
      assert.deepEqual(server.requests.at(-1)!.body!.logit_bias, { [String(equalsId)]: -100, [String(isId)]: 5 }, 're-run carries it too');
    });

    it('llama.cpp: ids the response sent, in the array form, and text where it sent none; a branch carries them', async () => {
      await useProfile('llama', { preset: 'llama.cpp server', model: 'llamacpp-oai-chat-stream-multibyte-issue' });
      // The recorded llama.cpp stream "овые щё": "ё" (token 2, at 6-7) has the alternative "еч" with id 55757.
      const { editor, result } = await answer('x');
      const banned = await click(await hoverLink(editor.document, result.answerStart! + 6, 'Ban', '`еч`')) as BiasResult;
      assert.equal(banned.added, true, banned.message);
      assert.deepEqual(banned.entry, { text: 'еч', bias: -100, source: 'response-id', ids: [55757], vocabulary: 'model:llamacpp-oai-chat-stream-multibyte-issue' });
      await answer('x');
      assert.deepEqual(server.requests.at(-1)!.body!.logit_bias, [[55757, -100]]);

      await useProfile('llama', { preset: 'llama.cpp server' });
      const four = await answer();
      const text = await click(await hoverLink(four.editor.document, four.result.answerStart! + 6, 'Boost', '`␣is`')) as BiasResult;
      assert.deepEqual(text.entry, { text: ' is', bias: 5, source: 'string-key' });
      continueWithRecording('steering-continue-equals');
      await click(await hoverLink(four.editor.document, four.result.answerStart! + 6, 'Continue', '`␣equals`'));
      // The list holds the Cyrillic entry (ids of the other model: sent as its text) and " is".
      assert.deepEqual(server.requests.at(-1)!.body!.logit_bias, [['еч', -100], [' is', 5]]);
    });

    it('vLLM: asks for the sampled tokens\' ids, bans by the id, and says why an alternative has none', async () => {
      await useProfile('vllm', { preset: 'vLLM', model: 'steering-vllm-paris' });
      // test/fixtures/steering/steering-vllm-paris.sse.txt: "The capital of France is Paris.", " Paris" with token_ids 12095.
      const { editor, result } = await answer('What is the capital of France?');
      assert.equal(server.requests.at(-1)!.body!.return_token_ids, true);
      const text = editor.document.getText().slice(result.answerStart, result.answerEnd);
      const paris = result.answerStart! + text.indexOf(' Paris') + 2;
      const banned = await click(await hoverLink(editor.document, paris, 'Ban')) as BiasResult;
      assert.equal(banned.added, true, banned.message);
      assert.deepEqual(banned.entry, { text: ' Paris', bias: -100, source: 'response-id', ids: [12095], vocabulary: 'model:steering-vllm-paris' });
      const hover = await hoverAt(editor.document, result.answerStart! + text.indexOf(' is') + 1);
      assert.ok(hover.includes('Ban, Boost: the server sends ids only for the tokens it sampled'), hover);
      await answer('What is the capital of France?');
      assert.deepEqual(server.requests.at(-1)!.body!.logit_bias, { 12095: -100 });
    });

    it('Ollama: no Ban or Boost, the reason in the hover and on the command, and nothing sent', async () => {
      await useProfile('ollama', { preset: 'Ollama' });
      const { editor, result } = await answer();
      const hover = await hoverAt(editor.document, result.answerStart! + 6);
      assert.ok(hover.includes('Ban, Boost: this endpoint takes no logit_bias'), hover);
      assert.ok(!hover.includes('[Ban]'));
      const refused = await vscode.commands.executeCommand<BiasResult>('logprobLens.ban', (await hoverLink(editor.document, result.answerStart! + 6, 'Inspect')).args[0]);
      assert.equal(refused.added, false);
      assert.match(refused.message, /^Ban and Boost need logit_bias, which “ollama” \(Chat Completions\) does not take\./);
      await answer();
      assert.equal(server.requests.at(-1)!.body!.logit_bias, undefined);
    });

    it('acts on the token at the cursor, with a pick of its alternatives, for keyboard users', async () => {
      await useProfile('openai', { preset: 'OpenAI', capabilities: { tokenizerEncoding: 'o200k_base' } });
      const { editor, result } = await answer();
      editor.selection = new vscode.Selection(editor.document.positionAt(result.answerStart! + 6), editor.document.positionAt(result.answerStart! + 6));
      const picked = vscode.commands.executeCommand<BiasResult>('logprobLens.ban');
      // The pick lists " =" (the model's choice), then " equals" and " is": the second row is " equals".
      await new Promise((resolve) => setTimeout(resolve, 500));
      await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      const banned = await picked;
      assert.equal(banned.entry?.text, ' equals');
      assert.deepEqual(banned.entry?.ids, [o200kEncode(' equals')[0]]);
    });
  });

  it('shows a token that spells our own command link as text: the hover links only where Logprob Lens put links', async () => {
    await useProfile('llama', { preset: 'llama.cpp server', model: 'steering-hostile-command' });
    // test/fixtures/steering/steering-hostile-command.sse.txt: "Try", then a token that is a Continue link with forged
    // arguments (answer "x"), whose alternatives include "[Ban](command:logprobLens.ban)".
    const { editor, result, tracked } = await answer('Write a link for me.');
    const markdown = await hoverAt(editor.document, result.answerStart! + 5);
    assert.ok(markdown.includes('`␣[Continue](command:logprobLens.continueWith?%5B%7B%22answer%22%3A%22x%22'), markdown);
    const outside = markdown.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, '');
    const links = linksOf(outside);
    const steeringLinks = links.filter((link) => link.command !== 'logprobLens.showRun');
    // Continue, beside, Ban, Boost and Inspect under the token; Continue, beside, Ban and Boost on its 3 rows.
    assert.equal(steeringLinks.length, 5 + 3 * 4);
    for (const link of steeringLinks) assert.equal((link.args[0] as { answer: string }).answer, tracked.id);
    // And the last line's link to the answer's run in the Runs view.
    assert.deepEqual(links.filter((link) => link.command === 'logprobLens.showRun').map((link) => link.args), [[tracked.id]]);
    assert.equal(outside.split('command:').length - 1, links.length, 'no other command: target outside code spans');
  });

  it('Inspect puts the cursor on the token', async () => {
    await useProfile('vllm', { preset: 'vLLM' });
    const { editor, result } = await answer();
    await click(await hoverLink(editor.document, result.answerStart! + 6, 'Inspect'));
    assert.equal(vscode.window.activeTextEditor?.selection.active.isEqual(editor.document.positionAt(result.answerStart! + 5)), true);
  });

  it('Check Endpoint probes the endpoint and records what it found for the profile and model', async () => {
    await useProfile('llama', { preset: 'llama.cpp server', model: 'probe' });
    server.chooseRecording = (path, body) => {
      const message = lastMessage(body) as { role?: string } | undefined;
      if (message?.role === 'assistant') return 'steering-probe-countdown';
      if (body?.logit_bias !== undefined) return 'steering-llamacpp-okay';
      if (body?.n === 2) return 'steering-probe-two-choices';
      return path.endsWith('/chat/completions') ? 'steering-llamacpp-ok' : 'completions-echo-score';
    };
    const report = await vscode.commands.executeCommand<{ capabilities: string[] }>('logprobLens.checkEndpoint');
    assert.deepEqual(report.capabilities, [
      '✔ logprobs with up to 3 alternatives (20 asked)',
      '✔ token ids in responses',
      '✔ continues a forced start (a final assistant message)',
      '✔ logit_bias works; the returned logprobs do not include the bias',
      '✔ n > 1 works, streamed',
      '✔ prompt scoring (legacy Completions with echo)',
    ]);
    const recorded = api.steering.capabilities.probeFor(api.steering.settingsInUse());
    assert.equal(recorded?.model, 'probe');
    assert.deepEqual(recorded?.logitBias, { ok: true, reflectedInLogprobs: false });
    assert.equal(api.steering.capabilities.forSettings(api.steering.settingsInUse()).capabilities.maxTopLogprobs, 3);
  });
});
