import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TrackedAnswer } from '../../../src/vscode/editor/trackedAnswer';
import { complete, editorWith, hoverAt, lens, PROMPT, replaySuite, TOP5, TOP5_TEXT, waitFor } from './helpers';

const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('logprobLens');
const setting = async (key: string, value: unknown): Promise<void> => config().update(key, value, vscode.ConfigurationTarget.Global);

/** Every setting these tests write, reset after each. */
const WRITTEN = ['colourBy', 'marginThresholds', 'uncertainMargin', 'uncertainSurprisal', 'gutterMarks', 'temperature', 'topP', 'topK', 'minP', 'endpoints', 'endpoint'];

/**
 * The top-5 recording's nine tokens: The, ␣smallest, ␣continent, ␣by, ␣land, ␣area, ␣is, ␣Australia, ".". Their
 * margins (the two most likely listed probabilities' difference): 0.999329, 0.99999996, 0.999999999, 0.924423,
 * 0.968070, 0.999991, 0.999996, 0.999999, 0.999850; ␣by's surprisal 0.039039 / ln 2 = 0.0563 bits, ␣land's 0.0233.
 * These thresholds spread them over the buckets: 0.999329 is at or above the first eight → 8; 0.924 below the first
 * → 0; 0.968 at or above 0.93, 0.95 and 0.96 → 3; 0.99985 → 8; the rest at or above 0.9999 → 9.
 */
const MARGIN_THRESHOLDS = [0.93, 0.95, 0.96, 0.97, 0.98, 0.99, 0.995, 0.999, 0.9999];
const MARGIN_BUCKETS = [8, 9, 9, 0, 3, 9, 9, 9, 8];
const BY = TOP5_TEXT.indexOf(' by');
const LAND = TOP5_TEXT.indexOf(' land');

async function completed(): Promise<{ editor: vscode.TextEditor; tracked: TrackedAnswer; start: number }> {
  const editor = await editorWith(PROMPT);
  const result = await complete();
  assert.equal(result.outcome, 'done', result.message);
  const [tracked] = (await lens()).tracker.answers(editor.document);
  assert.ok(tracked);
  return { editor, tracked, start: result.answerStart! };
}

const bucketsOf = ({ answer }: TrackedAnswer): number[] => Array.from({ length: answer.store.placementCount }, (_, i) => answer.bucketOfPlacement(i));

describe('colour modes and the token inspector in a real editor', () => {
  const suite = replaySuite();
  afterEach(async () => {
    for (const key of WRITTEN) await setting(key, undefined);
  });

  it('recolours the tracked answer for the mode and its thresholds, and the hover says what the colour is', async () => {
    const { editor, tracked, start } = await completed();
    assert.doesNotMatch(await hoverAt(editor.document, start + BY + 1), /Colour:/, 'probability mode: the hover says it already');
    await setting('marginThresholds', MARGIN_THRESHOLDS);
    await setting('colourBy', 'margin');
    await waitFor('the margin colours', () => tracked.answer.colourMode === 'margin');
    assert.deepEqual(bucketsOf(tracked), MARGIN_BUCKETS);
    assert.match(await hoverAt(editor.document, start + BY + 1), /\n\nColour: margin 92\.4 points(\n|$)/, '0.924423, above the 0.1 of a near tie');
    await setting('colourBy', 'entropy');
    await waitFor('the entropy colours', () => tracked.answer.colourMode === 'entropy');
    // Entropy over the five, as a fraction of log2 5: ␣by 0.1038 → [0.1, 0.2) → 7; ␣land 0.0515 → 8; the rest below 0.05 → 9.
    assert.deepEqual(bucketsOf(tracked), [9, 9, 9, 7, 8, 9, 9, 9, 9]);
  });

  it('goes to the uncertain tokens of the mode, and the status bar says which they are', async () => {
    const { editor, start } = await completed();
    await setting('marginThresholds', MARGIN_THRESHOLDS);
    await setting('uncertainMargin', 0.97);
    await setting('colourBy', 'margin');
    const api = await lens();
    await waitFor('the status bar in margin mode', () => /9 tok · ppl \d+\.\d\d · 2 uncertain by margin/.test(api.statusText()));
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    await vscode.commands.executeCommand('logprobLens.nextUncertain');
    assert.equal(editor.document.offsetAt(editor.selection.start), start + BY, 'margin 0.924 < 0.97');
    await vscode.commands.executeCommand('logprobLens.nextUncertain');
    assert.equal(editor.document.offsetAt(editor.selection.start), start + LAND, 'margin 0.968 < 0.97');
    await vscode.commands.executeCommand('logprobLens.nextUncertain');
    assert.equal(editor.document.offsetAt(editor.selection.start), start + BY, 'wraps around');
    // Surprisal from 0.05 bits: only ␣by (0.0563); ␣land's 0.0233 is below.
    await setting('uncertainSurprisal', 0.05);
    await setting('colourBy', 'surprisal');
    await waitFor('the status bar in surprisal mode', () => /· 1 uncertain by surprisal/.test(api.statusText()));
    await vscode.commands.executeCommand('logprobLens.nextUncertain');
    assert.equal(editor.document.offsetAt(editor.selection.start), start + BY);
    await vscode.commands.executeCommand('logprobLens.previousUncertain');
    assert.equal(editor.document.offsetAt(editor.selection.start), start + BY, 'the only one');
  });

  it('sends top_k and min_p only to backends that take them', async () => {
    const { server } = suite;
    await setting('topK', 40);
    await setting('minP', 0.05);
    const body = async (): Promise<Record<string, unknown>> => {
      await completed();
      return server.requests.at(-1)!.body!;
    };
    // The replay server on a random port is no backend Logprob Lens recognises: nothing extra is sent.
    assert.deepEqual([(await body()).top_k, (await body()).min_p], [undefined, undefined]);
    // A profile made from the vLLM preset (by its name) at the same server: both, under vLLM's field names.
    await setting('endpoints', { vLLM: { baseUrl: server.baseUrl, model: TOP5 }, Ollama: { baseUrl: server.baseUrl, model: TOP5 } });
    await setting('endpoint', 'vLLM');
    const vllm = await body();
    assert.deepEqual([vllm.top_k, vllm.min_p], [40, 0.05]);
    // Ollama's OpenAI endpoint ignores them: not sent.
    await setting('endpoint', 'Ollama');
    const ollama = await body();
    assert.equal('top_k' in ollama || 'min_p' in ollama, false);
  });

  it('opens the inspector on the token at the cursor, and follows the cursor', async () => {
    const { editor, tracked, start } = await completed();
    const { inspector } = await lens();
    editor.selection = new vscode.Selection(editor.document.positionAt(start + BY + 1), editor.document.positionAt(start + BY + 1));
    await vscode.commands.executeCommand('logprobLens.openInspector');
    await waitFor('the page to render ␣by', () => rendered(inspector.renders, tracked.id, 3), 20_000);
    assert.ok(vscode.window.activeTextEditor === editor, 'the editor keeps the focus');
    editor.selection = new vscode.Selection(editor.document.positionAt(start + LAND + 2), editor.document.positionAt(start + LAND + 2));
    await waitFor('the page to render ␣land', () => rendered(inspector.renders, tracked.id, 4), 10_000);
    const last = inspector.renders.at(-1)!;
    assert.ok(last.pageMs >= 0 && last.hostMs >= 0 && last.roundTripMs >= last.pageMs, JSON.stringify(last));
  });

  it('Apply writes the sampling settings, and the next request carries them', async () => {
    const { server } = suite;
    await setting('endpoints', { vLLM: { baseUrl: server.baseUrl, model: TOP5 } });
    await setting('endpoint', 'vLLM');
    await completed();
    const { inspector } = await lens();
    await inspector.receive({ kind: 'apply', settings: { temperature: 0.4, topP: 0.8, topK: 7, minP: null } });
    assert.deepEqual([config().inspect('temperature')?.globalValue, config().inspect('topP')?.globalValue, config().inspect('topK')?.globalValue], [0.4, 0.8, 7]);
    await completed();
    const body = server.requests.at(-1)!.body!;
    assert.deepEqual([body.temperature, body.top_p, body.top_k, 'min_p' in body], [0.4, 0.8, 7, false]);
    // What the page may not ask for is refused whole: a temperature of 5 changes nothing.
    await inspector.receive({ kind: 'apply', settings: { temperature: 5, topP: null, topK: null, minP: null } });
    assert.equal(config().inspect('temperature')?.globalValue, 0.4);
  });

  it('moves the cursor where the page asks, and refuses a token that is no longer the model\'s', async () => {
    const { editor, tracked, start } = await completed();
    const { inspector } = await lens();
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    await inspector.receive({ kind: 'reveal', answerId: tracked.id, placement: 4 });
    assert.equal(editor.document.offsetAt(vscode.window.activeTextEditor!.selection.active), start + LAND);
    assert.equal(await inspector.moveCursor('no-such-answer', 1), false);
    await editor.edit((builder) => builder.insert(editor.document.positionAt(start + LAND + 2), 'XX'));
    assert.equal(await inspector.moveCursor(tracked.id, 4), false, 'its text was edited');
    assert.equal(await inspector.moveCursor(tracked.id, 99), false, 'no such placement');
    assert.equal(inspector.inspect(tracked.id, 4), false, 'the hover\'s Inspect link is refused the same way');
    assert.equal(inspector.inspect(tracked.id, 3), true);
  });
});

function rendered(renders: readonly { token: { answerId: string; placement: number } | null }[], answerId: string, placement: number): boolean {
  return renders.some(({ token }) => token?.answerId === answerId && token.placement === placement);
}
