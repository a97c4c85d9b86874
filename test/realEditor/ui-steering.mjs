// The steering UI test, as a user: completes a prompt, hovers a token, clicks Continue on one of its alternatives
// (a real mouse click on the link in the hover), sees the rest of the answer replaced and Undo bring it back, and
// checks that a model that writes our own command links gets no link of its own in the hover.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sleep } from './editor.mjs';
import { artifacts, hoverLinks, hoverText, OWN_COMMAND_LINK, quickOpen, runCommand, runSuite, selectLine, startReplay, textBox } from './workbench.mjs';


const FOUR = ['What is 4+4?', 'azure-openai-chat-stream-top3-llamastack', '4 + 4 = 8'];
/** test/fixtures/steering/steering-continue-equals.sse.txt after the forced start "4 + 4 equals". */
const BRANCHED = '4 + 4 equals 8.';
const HOSTILE = ['Write a link for me.', 'steering-hostile-command', 'Try '];
const FORGED = '[Continue](command:logprobLens.continueWith?';

export async function runSteeringUi({ codeServer, runDir, log }) {
  const replay = await startReplay({ paceMs: 30 });
  return runSuite({
    name: 'ui-steering', cleanup: () => replay.close(),
    codeServer, runDir, log,
    files: { 'prompts.md': `${FOUR[0]}\n\n${HOSTILE[0]}\n` },
    // llama.cpp's server continues a final assistant message and takes text keys in logit_bias: every action is on.
    userSettings: {
      'logprobLens.endpoints': { Local: { baseUrl: replay.baseUrl, model: 'replayed', preset: 'llama.cpp server' } }, 'logprobLens.endpoint': 'Local',
      'workbench.activityBar.location': 'hidden',
    },
  }, async ({ page, check }) => {
    const editorText = () => page.evaluate(() => document.querySelector('.monaco-editor .view-lines')?.textContent?.replace(/\u00a0/g, ' ') ?? '');
    const waitForText = (text, present = true) => page.waitForFunction(([wanted, shown]) => (document.querySelector('.monaco-editor .view-lines')?.textContent?.replace(/\u00a0/g, ' ') ?? '').includes(wanted) === shown, [text, present], { timeout: 30_000 });
    const complete = async ([prompt, recording, answer]) => {
      replay.transcriptOverride = recording;
      await selectLine(page, prompt);
      await runCommand(page, 'Logprob Lens: Complete Selection');
      await waitForText(answer);
    };
    await quickOpen(page, 'prompts.md');
    await waitForText(FOUR[0]);
    await complete(FOUR);
    await page.keyboard.press('Control+End');
    fs.mkdirSync(artifacts, { recursive: true });

    await check('the hover of a token offers Continue, Ban, Boost and Inspect, and links only to our commands', async () => {
      const text = await hoverText(page, FOUR[2], 6);
      for (const expected of ['␣=', '61.99 %', '␣equals', '37.60 %', 'Continue', 'beside', 'Ban', 'Boost', 'Inspect']) {
        if (!text.includes(expected)) throw new Error(`the hover lacks “${expected}”: ${text.slice(0, 400)}`);
      }
      const links = await hoverLinks(page);
      if (links.length < 4 * 4 + 1) throw new Error(`expected a Continue, beside, Ban and Boost link on the token and each of its 3 alternatives, and Inspect: ${links.length}`);
      const foreign = links.filter((link) => !OWN_COMMAND_LINK.test(link));
      if (foreign.length > 0) throw new Error(`links that are not ours: ${foreign.join(', ')}`);
      await page.screenshot({ path: path.join(artifacts, 'hover-actions.png') });
      // The README's picture: the answer and its hover, nothing else of the workbench.
      const editor = await page.locator('.monaco-editor .view-lines').boundingBox();
      const hover = await page.locator('.monaco-hover').first().boundingBox();
      const top = Math.max(0, editor.y - 4);
      await page.screenshot({ path: path.join(artifacts, 'steering-hover.png'), clip: { x: editor.x - 12, y: top, width: hover.x + hover.width + 16 - (editor.x - 12), height: hover.y + hover.height + 12 - top } });
    });

    await check('clicking Continue on the “ equals” row replaces the rest of the answer with the branch', async () => {
      replay.transcriptOverride = 'steering-continue-equals';
      await page.locator('.monaco-hover tr', { hasText: '␣equals' }).locator('a', { hasText: /^Continue$/ }).first().click();
      await waitForText(BRANCHED);
      if ((await editorText()).includes(FOUR[2])) throw new Error('the old rest " = 8" is still there');
      const body = replay.requests.at(-1)?.body;
      const last = body?.messages?.at(-1);
      if (last?.role !== 'assistant' || last?.content !== '4 + 4 equals') throw new Error(`the branch request ended with ${JSON.stringify(last)}`);
    });

    await check('the forced token is outlined as chosen by the user, and its hover says so', async () => {
      await page.mouse.move(5, 600);
      await sleep(400);
      const outlined = await page.evaluate(() => [...document.querySelectorAll('.monaco-editor [class*="ced-"]')]
        .some((element) => getComputedStyle(element).outlineStyle === 'solid' && getComputedStyle(element).outlineWidth === '1px'));
      if (!outlined) throw new Error('no outlined decoration in the editor');
      await page.screenshot({ path: path.join(artifacts, 'branch.png') });
      const hover = await hoverText(page, BRANCHED, 8);
      if (!hover.includes('Chosen by you')) throw new Error(`the forced token's hover: ${hover.slice(0, 300)}`);
    });

    await check('one Undo brings back the original answer and its colours', async () => {
      await page.keyboard.press('Escape');
      await page.mouse.move(5, 600);
      const box = await textBox(page, BRANCHED, 0, 1);
      await page.mouse.click(box.left + 1, box.top + box.height / 2);
      await page.keyboard.press('Control+Z');
      await waitForText(FOUR[2]);
      await waitForText(BRANCHED, false);
      const hover = await hoverText(page, FOUR[2], 6);
      if (!hover.includes('61.99 %')) throw new Error(`after Undo the hover of “ =” says: ${hover.slice(0, 200)}`);
    });

    await check('a token that spells our own command link stays text, and the hover links only where we put links', async () => {
      await page.keyboard.press('Escape');
      await page.mouse.move(5, 600);
      await complete(HOSTILE);
      const text = await hoverText(page, 'Try [Continue]', 6);
      if (!text.includes(`␣${FORGED}`)) throw new Error(`the hover does not show the token literally: ${text.slice(0, 400)}`);
      if (!text.includes('[Ban](command:logprobLens.ban)')) throw new Error('the hover does not show the alternative literally');
      const links = await hoverLinks(page);
      const foreign = links.filter((link) => !OWN_COMMAND_LINK.test(link));
      if (foreign.length > 0) throw new Error(`links that are not ours: ${foreign.join(', ')}`);
      // Ours all point at the answer really hovered (Show in Runs view by its run id, which is the answer's id); the
      // forged one would name the answer "x".
      const answers = new Set(links.map((link) => {
        const [first] = JSON.parse(decodeURIComponent(link.slice(link.indexOf('?') + 1)));
        return typeof first === 'string' ? first : first.answer;
      }));
      if (answers.size !== 1 || answers.has('x')) throw new Error(`links point at answers ${[...answers].join(', ')}`);
      await page.screenshot({ path: path.join(artifacts, 'hover-hostile-actions.png') });
    });
  });
}
