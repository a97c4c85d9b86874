import * as assert from 'node:assert/strict';
import { LABEL_LENGTH, literalLabel, MESSAGE_LENGTH, plainMessage, tokenLabel } from '../../src/core/untrusted';

/** How a notification finds links: microsoft/vscode src/vs/base/common/linkedText.ts (commit 1fe872e1), LINK_REGEX. */
const NOTIFICATION_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;

/**
 * What a quick pick or the status bar shows: microsoft/vscode src/vs/base/browser/ui/iconLabel/iconLabels.ts
 * (commit 025d400f), renderLabelWithIcons, with ThemeIcon's name and modifier expressions; icons as {icon}.
 */
function renderLabelWithIcons(text: string): { shown: string; icons: number } {
  let shown = '';
  let icons = 0;
  let from = 0;
  for (const match of text.matchAll(/(\\)?\$\(([A-Za-z0-9-]+(?:~[A-Za-z]+)?)\)/g)) {
    shown += text.slice(from, match.index);
    if (match[1]) shown += `$(${match[2]})`;
    else {
      shown += '{icon}';
      icons++;
    }
    from = match.index + match[0].length;
  }
  return { shown: shown + text.slice(from), icons };
}

const HOSTILE = [
  '[x](command:workbench.action.terminal.new)',
  '[x]( command:workbench.action.terminal.new)',
  'Renew your key: [Renew key](command:workbench.action.terminal.new "Renew")',
  '[[Renew]](command:x) [a [b]](https://attacker.example/?q=1)',
  '[x]\u200b(command:x)',
  '[x](comm\u200band:x)',
  '[open](file:///etc/passwd) [site](HTTPS://attacker.example)',
  '<https://attacker.example/?q=secret>',
  '![](https://attacker.example/?q=)',
  'command:workbench.action.terminal.new',
  'vscode://ms-vscode.remote/open vscode-insiders:extension/x',
  '$(alert) $(loading~spin) \\$(bell)',
  'line one\nline two\r\n\tthree\u0000\u001b[31mred\u2028four\u2029five\u0085six',
  '\u202eevil\u202c',
  'x'.repeat(10_000),
  '[x](command:y)'.repeat(1000),
  '',
];

describe('notifications: plainMessage', () => {
  it('leaves an ordinary server message exactly as it was', () => {
    const message = 'api.openai.com rejected the API key (401). Run “Logprob Lens: Set API Key” to enter a valid key for this host.'
      + ' The server said: “Incorrect API key provided: sk-abc***. You can find your API key at https://platform.openai.com/account/api-keys.”';
    assert.equal(plainMessage(message), message);
    assert.equal(plainMessage("Invalid 'messages[0].content': expected a string (got an array). Unknown command: foo"),
      "Invalid 'messages[0].content': expected a string (got an array). Unknown command: foo");
  });

  it('puts a multi-line body on one line, one space for each run of breaks, tabs, controls and spaces', () => {
    assert.equal(plainMessage('{\n  "error": {\n\t"message": "bad"\r\n  }\n}'), '{ "error": { "message": "bad" } }');
    assert.equal(plainMessage('a\u0000b\u001b[31mc\u2028d\u2029e\u0085f\u00a0g  h'), 'a b [31mc d e f g h');
    assert.equal(plainMessage('  \n padded \t '), 'padded');
  });

  it('breaks every link a notification would make, visibly', () => {
    assert.equal(plainMessage('[x](command:workbench.action.terminal.new)'), '[x] (command: workbench.action.terminal.new)');
    assert.equal(plainMessage('[x]( command:a)'), '[x] ( command: a)');
    assert.equal(plainMessage('[a [b]](https://attacker.example/?q=1 "t")'), '[a [b]] (https://attacker.example/?q=1 "t")');
    assert.equal(plainMessage('[open](file:///etc/passwd)'), '[open] (file: ///etc/passwd)');
  });

  it('removes invisible characters before looking for links, so that they cannot hide one', () => {
    assert.equal(plainMessage('[x]\u200b(command:x)'), '[x] (command: x)');
    assert.equal(plainMessage('[x](comm\u200band:x)'), '[x] (command: x)');
    assert.equal(plainMessage('a\u202eb\u2066c\u{E0041}d\ufe0fe\u3164f'), 'abcdef');
  });

  it('separates bare editor schemes from what follows, keeps http(s) URLs whole', () => {
    assert.equal(plainMessage('command:workbench.action.terminal.new'), 'command: workbench.action.terminal.new');
    assert.equal(plainMessage('COMMAND:x vscode://ms-vscode.remote/open vscode-insiders:extension/x file:///etc'),
      'COMMAND: x vscode: //ms-vscode.remote/open vscode-insiders: extension/x file: ///etc');
    assert.equal(plainMessage('see <https://attacker.example/?q=secret> and https://platform.openai.com/docs'),
      'see <https://attacker.example/?q=secret> and https://platform.openai.com/docs');
  });

  it(`caps the length at ${MESSAGE_LENGTH} with a visible ellipsis, never splitting a character`, () => {
    const long = plainMessage('x'.repeat(10_000));
    assert.equal(long, `${'x'.repeat(MESSAGE_LENGTH - 1)}…`);
    assert.equal(plainMessage('abcdef', 4), 'abc…');
    // 'a' then hearts (two units each): the cut at 3 units would fall inside the second heart.
    assert.equal(plainMessage(`a${'💙'.repeat(10)}`, 4), 'a💙…');
    // Megabytes of invisible characters: only the first part is read, and the result says it was cut.
    assert.equal(plainMessage(`${'\u200b'.repeat(1_000_000)}hello`), '…');
  });

  it('turns an empty message into an empty one, and half characters into U+FFFD', () => {
    assert.equal(plainMessage(''), '');
    assert.equal(plainMessage('a\ud83db'), 'a\ufffdb');
  });

  for (const hostile of HOSTILE) {
    it(`makes no link, no line break and no control character of ${JSON.stringify(hostile.slice(0, 60))}`, () => {
      const shown = plainMessage(hostile);
      assert.deepEqual([...shown.matchAll(NOTIFICATION_LINK)].map((match) => match[0]), []);
      assert.ok(!shown.includes(']('), shown);
      assert.ok(!/[\p{Cc}\p{Cf}\u2028\u2029]/u.test(shown), shown);
      assert.ok(shown.length <= MESSAGE_LENGTH);
    });
  }
});

describe('quick picks and the status bar: literalLabel and tokenLabel', () => {
  it('shows $(name) literally with the editor\'s own escape, and adds no backslash where no icon would render', () => {
    assert.equal(literalLabel('$(alert) key'), '\\$(alert) key');
    assert.deepEqual(renderLabelWithIcons(literalLabel('$(alert) key')), { shown: '$(alert) key', icons: 0 });
    assert.deepEqual(renderLabelWithIcons(literalLabel('\\$(bell) $(loading~spin)')), { shown: '\\$(bell) $(loading~spin)', icons: 0 });
    assert.equal(literalLabel('$(not an icon) $(alert $()'), '$(not an icon) $(alert $()');
  });

  it('cleans a label as a message: one line, no invisible characters, no link syntax', () => {
    assert.equal(literalLabel('llama3\n[x](command:y)\u200b'), 'llama3 [x] (command: y)');
    assert.equal(literalLabel('m'.repeat(1000)), `${'m'.repeat(LABEL_LENGTH - 1)}…`);
  });

  it('labels a token by its visible form, $(name) shown literally, the empty token named', () => {
    assert.equal(tokenLabel(''), '⟨empty⟩');
    assert.equal(tokenLabel(' $(alert)'), '␣\\$(alert)');
    assert.deepEqual(renderLabelWithIcons(tokenLabel(' $(alert)')), { shown: '␣$(alert)', icons: 0 });
    assert.equal(tokenLabel('\u200b$(x)\n'), '⟨U+200B⟩\\$(x)↵');
    assert.equal(tokenLabel('z'.repeat(10_000)), `${'z'.repeat(80)}…⟨10000 characters⟩`);
  });

  for (const hostile of HOSTILE) {
    it(`renders no icon and no line break for ${JSON.stringify(hostile.slice(0, 60))}`, () => {
      for (const label of [literalLabel(hostile), tokenLabel(hostile)]) {
        assert.equal(renderLabelWithIcons(label).icons, 0, label);
        assert.ok(!/[\p{Cc}\u2028\u2029]/u.test(label), label);
      }
    });
  }
});
