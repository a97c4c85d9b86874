import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MODE_DEFAULTS } from '../../src/core/buckets';
import type { SettingDefinition } from '../../src/core/settings/schema';
import { SETTINGS } from '../../src/core/settings/schema';
import { Commands } from '../../src/vscode/commandIds';
import { repoRoot } from '../support/fixtures';

interface ManifestProperty {
  readonly type: string | string[];
  readonly default: unknown;
  readonly scope: string;
  readonly enum?: string[];
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly maximum?: number;
  readonly maxItems?: number;
  readonly minItems?: number;
  readonly items?: { readonly type: string; readonly exclusiveMinimum?: number; readonly exclusiveMaximum?: number };
}

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[]; configuration: { properties: Record<string, ManifestProperty> } };
  capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
};
const properties = manifest.contributes.configuration.properties;

describe('the manifest and the code agree', () => {
  it('declares every command the code registers, and no other', () => {
    assert.deepEqual(manifest.contributes.commands.map((command) => command.command).sort(), Object.values(Commands).sort());
  });

  it('declares every setting of the table, with its default, scope, enum and range, and no other', () => {
    assert.deepEqual(Object.keys(properties).sort(), Object.keys(SETTINGS).map((key) => `logprobLens.${key}`).sort());
    for (const [key, definition] of Object.entries(SETTINGS) as [string, SettingDefinition][]) {
      const declared = properties[`logprobLens.${key}`]!;
      assert.deepEqual(declared.default, definition.default, `${key} default`);
      assert.equal(declared.scope, definition.scope, `${key} scope`);
      if (definition.type === 'enum') assert.deepEqual(declared.enum, definition.values, `${key} enum`);
      if (definition.type === 'number') {
        const expected = definition.integer ? 'integer' : 'number';
        assert.deepEqual(declared.type, definition.nullable ? [expected, 'null'] : expected, `${key} type`);
        for (const bound of ['minimum', 'exclusiveMinimum', 'maximum'] as const) {
          if (definition[bound] !== undefined || declared[bound] !== undefined) assert.equal(declared[bound], definition[bound], `${key} ${bound}`);
        }
      }
      if (definition.type === 'stringArray') assert.equal(declared.maxItems, definition.maxItems, `${key} maxItems`);
      if (definition.type === 'thresholds') {
        const [low, high] = MODE_DEFAULTS[definition.mode].range!;
        assert.deepEqual([declared.minItems, declared.maxItems], [9, 9], `${key} holds nine values`);
        assert.deepEqual(declared.items, { type: 'number', exclusiveMinimum: low, exclusiveMaximum: high }, `${key} values lie inside the ${definition.mode} range`);
      }
    }
  });

  it('restricts in untrusted workspaces exactly the settings the table marks as restricted', () => {
    const restricted = Object.entries(SETTINGS).filter(([, definition]) => 'restricted' in definition && definition.restricted).map(([key]) => `logprobLens.${key}`);
    assert.deepEqual([...manifest.capabilities.untrustedWorkspaces.restrictedConfigurations].sort(), restricted.sort());
  });
});

describe('the README documents the whole manifest', () => {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const rows = readme.split('\n').filter((line) => line.startsWith('| '));

  it('has a settings row for every setting, with its scope and whether it is restricted', () => {
    const restricted = new Set(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations);
    for (const [key, property] of Object.entries(properties)) {
      const row = rows.find((line) => line.startsWith(`| \`${key}\` |`));
      assert.ok(row, `a README row for ${key}`);
      const scope = row.split(' | ')[2]!;
      assert.equal(scope, `${property.scope}${restricted.has(key) ? ', restricted' : ''}`, key);
    }
  });

  it('names every command of the palette', () => {
    const titles = (manifest.contributes.commands as { command: string; title: string }[]).map((command) => command.title.replace(/…$/, ''));
    const commandRows = rows.join('\n');
    for (const title of titles) assert.ok(commandRows.includes(title), `the README's command table names “${title}”`);
  });
});
