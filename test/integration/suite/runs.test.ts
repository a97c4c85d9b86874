import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { complete, editorWith, hoverAt, lens, PROMPT, replaySuite, TOP5, TOP5_TEXT, useModel, waitFor } from './helpers';

const OTHER_ENDING = 'top5-other-ending';
const OTHER_TEXT = 'The smallest continent is Australia.';

/** Waits until the history holds a run with this id (recording happens just after the run ends). */
async function recorded(id: string): Promise<void> {
  const api = await lens();
  await waitFor(`run ${id} in the history`, () => api.history.get(id) !== undefined);
}

describe('runs: kept, restored, compared, sampled, exported (issue 10)', () => {
  const suite = replaySuite();
  afterEach(async () => {
    await vscode.workspace.getConfiguration('logprobLens').update('history.enabled', undefined, vscode.ConfigurationTarget.Global);
    await (await lens()).history.clear();
  });

  it('records every run with its request, endpoint, outcome, metrics and tokens, and never a key', async () => {
    const api = await lens();
    const editor = await editorWith(PROMPT);
    await complete();
    const [tracked] = api.tracker.answers(editor.document);
    await recorded(tracked!.id);
    const record = await api.history.read(tracked!.id);
    assert.ok(record);
    assert.equal(record.kind, 'completion');
    assert.equal(record.text, TOP5_TEXT);
    assert.equal(record.outcome, 'done');
    assert.deepEqual(record.request.messages, [{ role: 'user', content: PROMPT }]);
    assert.equal(record.request.topLogprobs, 5);
    assert.equal(record.endpoint.model, TOP5);
    assert.equal(record.endpoint.host, new URL(suite.server.baseUrl).host);
    assert.equal(record.metrics.tokens, 9);
    assert.equal(record.tokens.count, 9);
    assert.equal(record.placements.count, 9);
    assert.equal(record.place.offset, PROMPT.length + 2);
    assert.ok(record.timings.totalMs !== undefined && record.timings.totalMs > 0);
    assert.ok(!JSON.stringify(record.request).includes('Bearer'), 'no header in the record');
  });

  it('records nothing while history is off', async () => {
    const api = await lens();
    await vscode.workspace.getConfiguration('logprobLens').update('history.enabled', false, vscode.ConfigurationTarget.Global);
    const editor = await editorWith(PROMPT);
    await complete();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(api.history.get(api.tracker.answers(editor.document)[0]!.id), undefined);
  });

  it('restores colours and hovers when the document opens again, also when the text moved, and not when it changed', async () => {
    const api = await lens();
    const editor = await editorWith(PROMPT);
    const result = await complete();
    const [tracked] = api.tracker.answers(editor.document);
    await recorded(tracked!.id);
    const buckets = Array.from({ length: 9 }, (_, i) => tracked!.answer.bucketOfPlacement(i));
    const hover = await hoverAt(editor.document, result.answerStart! + 5);
    // As after a reload: the tracker knows nothing, the document is as it was.
    api.tracker.clear(editor.document);
    assert.equal(await api.restorer.restore(editor.document), 1);
    const [restored] = api.tracker.answers(editor.document);
    assert.equal(restored!.id, tracked!.id);
    assert.deepEqual(Array.from({ length: 9 }, (_, i) => restored!.answer.bucketOfPlacement(i)), buckets);
    assert.equal(await hoverAt(editor.document, result.answerStart! + 5), hover);
    // Text moved by an edit above (made while the tracker did not follow): found once nearby.
    api.tracker.clear(editor.document);
    await editor.edit((builder) => builder.insert(new vscode.Position(0, 0), 'A new first line\n'));
    assert.equal(await api.restorer.restore(editor.document), 1);
    assert.equal(api.tracker.answers(editor.document)[0]!.answer.start, result.answerStart! + 'A new first line\n'.length);
    // The answer's own text changed: not coloured falsely.
    api.tracker.clear(editor.document);
    const start = editor.document.getText().indexOf('Australia');
    await editor.edit((builder) => builder.replace(new vscode.Range(editor.document.positionAt(start), editor.document.positionAt(start + 9)), 'Europe'));
    assert.equal(await api.restorer.restore(editor.document), 0);
    assert.equal(api.tracker.answers(editor.document).length, 0);
    assert.ok(api.history.get(tracked!.id), 'the run stays in history');
  });

  it('compares two runs in the diff editor, both sides coloured, the divergence explained in its hover', async () => {
    const api = await lens();
    const editor = await editorWith(PROMPT);
    await complete();
    await useModel(OTHER_ENDING);
    await vscode.commands.executeCommand('logprobLens.rerunLast');
    const [first, second] = api.tracker.answers(editor.document);
    await recorded(first!.id);
    await recorded(second!.id);
    const opened = await api.runs.compare(first!.id, second!.id);
    assert.ok(opened);
    const { comparison } = opened;
    assert.equal(comparison.summary.commonPrefix.tokens, 3);
    assert.equal(comparison.divergence?.leftToken, ' by');
    assert.equal(comparison.divergence?.rightToken, ' is');
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(tab instanceof vscode.TabInputTextDiff, 'a diff editor is open');
    assert.equal(tab.original.toString(), opened.left.toString());
    assert.equal(tab.modified.toString(), opened.right.toString());
    const left = await vscode.workspace.openTextDocument(opened.left);
    const right = await vscode.workspace.openTextDocument(opened.right);
    assert.equal(left.getText(), TOP5_TEXT);
    assert.equal(right.getText(), OTHER_TEXT);
    assert.equal(api.tracker.answers(left)[0]!.answer.store.placementCount, 9, 'the left side is coloured');
    assert.equal(api.tracker.answers(right)[0]!.answer.store.placementCount, 6, 'the right side is coloured');
    const divergence = await hoverAt(right, OTHER_TEXT.indexOf(' is') + 1);
    assert.match(divergence, /First divergence/);
    assert.match(divergence, /Left chose `␣by`; the right run gave it 52\.00 % \(rank 1 of 5\)/);
    assert.match(divergence, /Right chose `␣is`; the left run gave it 3\.73 % \(rank 2 of 5\)/);
    assert.match(divergence, /Common prefix: 3 tokens \(22 characters\)/);
    assert.match(divergence, /computed over the returned alternatives/);
  });

  it('lists runs by document, newest first, with what changed since the previous run of the same prompt', async () => {
    const api = await lens();
    const editor = await editorWith(PROMPT);
    await complete();
    await vscode.workspace.getConfiguration('logprobLens').update('temperature', 1.2, vscode.ConfigurationTarget.Global);
    try {
      await vscode.commands.executeCommand('logprobLens.rerunLast');
    } finally {
      await vscode.workspace.getConfiguration('logprobLens').update('temperature', undefined, vscode.ConfigurationTarget.Global);
    }
    const [first, second] = api.tracker.answers(editor.document);
    await recorded(second!.id);
    const view = api.test!.runsView;
    const [document] = view.getChildren();
    assert.ok(document?.type === 'document');
    const runs = view.getChildren(document);
    assert.deepEqual(runs.map((node) => (node.type === 'run' ? node.meta.id : '')), [second!.id, first!.id]);
    const newest = view.getTreeItem(runs[0]!);
    assert.match(newest.label as string, new RegExp(`^${TOP5} · .* · 9 tokens · ppl \\d+\\.\\d\\d · \\d+ uncertain$`));
    assert.equal(newest.description, 'temperature default → 1.2');
    assert.match(newest.tooltip as string, /What is the smallest continent\?/);
    assert.ok(await view.reveal(first!.id));
  });

  it('links a token\'s hover to its run, and the link selects that run in the Runs view', async () => {
    const api = await lens();
    const editor = await editorWith(PROMPT);
    const result = await complete();
    const [tracked] = api.tracker.answers(editor.document);
    await recorded(tracked!.id);
    const hover = await hoverAt(editor.document, result.answerStart! + 1);
    const link = /\[Show in Runs view\]\(command:logprobLens\.showRun\?(\S+) "/.exec(hover);
    assert.ok(link, hover);
    const args = JSON.parse(decodeURIComponent(link[1]!)) as unknown[];
    assert.deepEqual(args, [tracked!.id]);
    assert.equal(await vscode.commands.executeCommand('logprobLens.showRun', ...args), true);
    assert.deepEqual(api.test!.runsView.selectedRunIds, [tracked!.id]);
  });

  it('offers no link to the Runs view for an answer the history does not hold', async () => {
    await vscode.workspace.getConfiguration('logprobLens').update('history.enabled', false, vscode.ConfigurationTarget.Global);
    const editor = await editorWith(PROMPT);
    const result = await complete();
    const hover = await hoverAt(editor.document, result.answerStart! + 1);
    assert.match(hover, /\| `.+` \|/, 'the hover itself is there');
    assert.doesNotMatch(hover, /Show in Runs view|logprobLens\.showRun/);
  });

  it('samples several answers into one document with a consistency summary, as one sample set', async () => {
    const api = await lens();
    const editor = await editorWith(PROMPT);
    const result = await api.samples(editor, 3);
    assert.equal(result.outcome, 'done', result.message);
    assert.equal(result.summary?.count, 3);
    assert.equal(result.summary?.distinct, 1);
    assert.equal(result.summary?.mostFrequent.share, 1);
    const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === result.documentUri)!;
    const text = document.getText();
    assert.match(text, /^# 3 samples of one prompt/);
    assert.match(text, /Summary: 3 samples, all 3 samples are the same answer\./);
    for (const n of [1, 2, 3]) assert.ok(text.includes(`## Sample ${n}\n\n${TOP5_TEXT}`), `sample ${n}`);
    assert.equal(api.tracker.answers(document).length, 3);
    for (const tracked of api.tracker.answers(document)) assert.equal(document.getText().slice(tracked.answer.start, tracked.answer.end), TOP5_TEXT);
    for (const id of result.runIds!) await recorded(id);
    const groups = result.runIds!.map((id) => api.history.get(id)!.group);
    assert.deepEqual(groups.map((group) => [group?.index, group?.size, group?.kind]), [[0, 3, 'samples'], [1, 3, 'samples'], [2, 3, 'samples']]);
    assert.equal(new Set(groups.map((group) => group?.id)).size, 1);
  });

  it('exports a run as JSON, CSV and a self-contained HTML page', async () => {
    const api = await lens();
    const editor = await editorWith(PROMPT);
    await complete();
    const [tracked] = api.tracker.answers(editor.document);
    await recorded(tracked!.id);
    const folder = vscode.workspace.workspaceFolders![0]!.uri;
    const read = async (format: 'json' | 'csv' | 'html'): Promise<string> => {
      const file = await api.runs.export(tracked!.id, format, vscode.Uri.joinPath(folder, `export-${process.pid}.${format}`));
      return new TextDecoder().decode(await vscode.workspace.fs.readFile(file!));
    };
    const json = JSON.parse(await read('json')) as { format: string; text: string };
    assert.equal(json.format, 'logprob-lens/run');
    assert.equal(json.text, TOP5_TEXT);
    // Open Logprobs Response reopens it with identical text, colours and hovers.
    const reopened = await vscode.commands.executeCommand<{ documentUri: string; placements: number }>('logprobLens.openResponse', vscode.Uri.joinPath(folder, `export-${process.pid}.json`));
    const copy = vscode.workspace.textDocuments.find((document) => document.uri.toString() === reopened.documentUri)!;
    assert.equal(copy.getText(), TOP5_TEXT);
    const [copied] = api.tracker.answers(copy);
    assert.deepEqual(Array.from({ length: 9 }, (_, i) => copied!.answer.bucketOfPlacement(i)), Array.from({ length: 9 }, (_, i) => tracked!.answer.bucketOfPlacement(i)));
    const at = TOP5_TEXT.indexOf('Australia') + 2;
    // The same hover, apart from the steering line (the copy was not generated here, so it cannot be continued) and
    // the link to each one's own run.
    const [copyHover, original] = [await hoverAt(copy, at), await hoverAt(editor.document, tracked!.answer.start + at)];
    const withoutActions = (hover: string) => hover.replace(/\n\n---\n\n\[Show in Runs view\]\(command:[^\n]*$/, '')
      .split('\n').filter((line) => !line.startsWith('[Inspect](command:')).join('\n');
    assert.equal(withoutActions(copyHover), withoutActions(original));
    assert.match(copyHover, /Continue: this answer was not generated here/);
    const csv = (await read('csv')).split('\r\n');
    assert.equal(csv.length, 1 + 9 + 1, 'a header, a row per token, the final line break');
    const html = await read('html');
    assert.match(html, /^<!doctype html>/i);
    assert.ok(!/(?:src|href)=["']?https?:/i.test(html), 'no external resource');
  });

  it('deletes runs and clears the history', async () => {
    const api = await lens();
    const editor = await editorWith(PROMPT);
    await complete();
    await vscode.commands.executeCommand('logprobLens.rerunLast');
    const [first, second] = api.tracker.answers(editor.document);
    await recorded(second!.id);
    await recorded(first!.id);
    assert.equal(await api.runs.delete(first!.id), 1);
    assert.equal(api.history.get(first!.id), undefined);
    await api.history.clear();
    assert.equal(api.history.list().length, 0);
    api.tracker.clear(editor.document);
    assert.equal(await api.restorer.restore(editor.document), 0, 'nothing left to restore');
  });
});
