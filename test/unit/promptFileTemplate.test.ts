import * as assert from 'node:assert/strict';
import type { GoValue } from '../../src/core/promptFiles/template';
import { findPlaceholders, goFloat, goFormat, looksLikeVariable, templateString } from '../../src/core/promptFiles/template';

describe('prompt file templating', () => {
  it('writes floats as Go’s %v (strconv.FormatFloat(x, \'g\', -1, 64)) does', () => {
    // Go: exponent form when the decimal exponent is < -4 or >= 6 (the shortest form's precision is taken as 6),
    // the mantissa with its shortest round-trip digits, the exponent signed with at least two digits.
    const cases: [number, string][] = [
      [0.5, '0.5'], [-2.5, '-2.5'], [100, '100'], [3.14159, '3.14159'], [123456, '123456'],
      [1e6, '1e+06'], [1234567, '1.234567e+06'], [1e21, '1e+21'], [9007199254740992, '9.007199254740992e+15'],
      [0.0001, '0.0001'], [0.00001, '1e-05'], [1.5e-7, '1.5e-07'], [0.000123, '0.000123'], [1e-300, '1e-300'],
      [0, '0'], [-0, '-0'], [Number.NaN, 'NaN'], [Number.POSITIVE_INFINITY, '+Inf'], [Number.NEGATIVE_INFINITY, '-Inf'],
    ];
    for (const [value, expected] of cases) assert.equal(goFloat(value), expected, String(value));
  });

  it('writes other values as %v does: ints exactly, booleans, nil, lists, maps with sorted keys', () => {
    assert.equal(goFormat(12345678901234567890n), '12345678901234567890');
    assert.equal(goFormat(true), 'true');
    assert.equal(goFormat(null), '<nil>');
    assert.equal(goFormat('text'), 'text');
    assert.equal(goFormat([1n, 'a', 2.5, null]), '[1 a 2.5 <nil>]');
    assert.equal(goFormat(new Map<string, GoValue>([['z', 1n], ['a', new Map([['k', [true]]])]])), 'map[a:map[k:[true]] z:1]');
  });

  it('replaces each {{key}} literally and leaves unknown placeholders as written', () => {
    const variables = new Map([['name', 'World'], ['age', '25']]);
    // The CLI's own test (pkg/prompt/prompt_test.go, "templates messages correctly" and "handles missing template variables").
    assert.equal(templateString('Hello {{name}}, you are {{age}} years old', variables), 'Hello World, you are 25 years old');
    assert.equal(templateString('Hello {{name}}, you are {{missing}} years old', new Map([['name', 'World']])), 'Hello World, you are {{missing}} years old');
  });

  it('matches only the exact key: no spaces inside the braces, no Go template dot', () => {
    const variables = new Map([['input', 'x']]);
    assert.equal(templateString('{{ input }} {{.input}} {{input}} {{Input}}', variables), '{{ input }} {{.input}} x {{Input}}');
    // strings.ReplaceAll finds "{{x}}" inside "{{{x}}}".
    assert.equal(templateString('{{{input}}}', variables), '{x}');
  });

  it('never expands a value again, whatever the key order', () => {
    const template = '{{a}} / {{b}}';
    const forward = new Map([['a', '{{b}}'], ['b', 'B']]);
    const backward = new Map([['b', 'B'], ['a', '{{b}}']]);
    assert.equal(templateString(template, forward), '{{b}} / B');
    assert.equal(templateString(template, backward), '{{b}} / B');
  });

  it('inserts values literally, with keys that contain pattern characters', () => {
    assert.equal(templateString('{{a.b}} {{a+b}} {{axb}}', new Map([['a.b', '$& $1'], ['a+b', '(x)']])), '$& $1 (x) {{axb}}');
    assert.equal(templateString('{{a}}', new Map()), '{{a}}');
  });

  it('finds innermost placeholders with their offsets', () => {
    assert.deepEqual(findPlaceholders('a {{x}} {{{y}}} {{}}'), [
      { inner: 'x', start: 2, end: 7 }, { inner: 'y', start: 9, end: 14 }, { inner: '', start: 16, end: 20 },
    ]);
  });

  it('tells variable-like names from other brace syntax', () => {
    for (const name of ['input', 'user_name', 'doc.title', 'день', '_x', 'a-b']) assert.ok(looksLikeVariable(name), name);
    for (const name of [' input ', '.input', '#each items', '"a": 1', '', '1abc']) assert.ok(!looksLikeVariable(name), name);
  });
});
