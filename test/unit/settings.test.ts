import * as assert from 'node:assert/strict';
import type { InspectedSetting, SettingKey } from '../../src/core/settings/schema';
import { effectiveValue, SETTINGS, validateSetting } from '../../src/core/settings/schema';
import { inspectedFromSection, keyScope, readLensSettings } from '../../src/core/settings/snapshot';

/** A settings source holding `values` at the given level for every key named. */
function source(levels: Partial<Record<SettingKey, InspectedSetting>>, trusted = true) {
  return { inspect: (key: SettingKey): InspectedSetting => ({ defaultValue: SETTINGS[key].default, ...levels[key] }), trusted };
}

const KEYS = Object.keys(SETTINGS) as SettingKey[];

describe('settings: one table, checked values, never a throw', () => {
  it('reads the defaults as the snapshot a fresh install has', () => {
    const { settings, problems } = readLensSettings(source({}));
    assert.deepEqual(problems, []);
    assert.equal(settings.baseUrl, 'https://api.openai.com/v1');
    assert.equal(settings.model, 'gpt-4o-mini');
    assert.equal(settings.apiStyle, 'chat');
    assert.equal(settings.timeoutMs, 60_000);
    assert.equal(settings.idleTimeoutMs, 30_000);
    assert.equal(settings.topLogprobs, 5);
    assert.equal(settings.sampling.maxTokens, 1024);
    assert.equal(settings.sampling.temperature, undefined);
    assert.equal(settings.uncertainThreshold, 0.5);
    assert.equal(settings.profileName, undefined);
  });

  it('gives the colour mode\'s own thresholds and uncertain threshold, and the extra samplers', () => {
    const margin = readLensSettings(source({ colourBy: { workspaceValue: 'margin' }, marginThresholds: { globalValue: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] },
      uncertainMargin: { globalValue: 0.25 }, topK: { globalValue: 40 }, gutterMarks: { globalValue: true } })).settings;
    assert.deepEqual(margin.thresholds, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    assert.equal(margin.uncertainThreshold, 0.25);
    assert.deepEqual(margin.samplers, { topK: 40, minP: undefined });
    assert.equal(margin.gutterMarks, true);
    const surprisal = readLensSettings(source({ colourBy: { globalValue: 'surprisal' } })).settings;
    assert.deepEqual(surprisal.thresholds, [0.15, 0.5, 1, 1.5, 2, 3, 4, 5, 7]);
    assert.equal(surprisal.uncertainThreshold, 1);
    const rank = readLensSettings(source({ colourBy: { globalValue: 'rank' } })).settings;
    assert.deepEqual([rank.thresholds, rank.uncertainThreshold], [[], 2], 'a fixed split; uncertain from rank 2');
    // A surprisal threshold of 80 bits is outside (0, 64): the defaults, with the problem named, even in another mode.
    const { problems } = readLensSettings(source({ surprisalThresholds: { globalValue: [0.1, 0.5, 1, 2, 3, 4, 5, 6, 80] } }));
    assert.deepEqual(problems, ['logprobLens.surprisalThresholds value 9 is not between 0 and 64; using the default ([0.15,0.5,1,1.5,2,3,4,5,7]).']);
  });

  it('falls back to the default, with one problem naming the setting, for a wrong type in every setting', () => {
    for (const key of KEYS) {
      const wrong = SETTINGS[key].type === 'string' || SETTINGS[key].type === 'enum' ? 42 : 'not the right type';
      const checked = validateSetting(key, wrong);
      assert.deepEqual(checked.value, SETTINGS[key].default, key);
      assert.match(checked.problem ?? '', new RegExp(`^logprobLens\\.${key} `), key);
      const { problems } = readLensSettings(source({ [key]: { globalValue: wrong } }));
      assert.equal(problems.filter((problem) => problem.includes(`logprobLens.${key} `)).length, 1, key);
    }
  });

  it('clamps absurd numbers into their range and says so', () => {
    const idle = validateSetting('idleTimeoutSeconds', 1e12);
    assert.equal(idle.value, 3600);
    assert.match(idle.problem ?? '', /logprobLens\.idleTimeoutSeconds = 1000000000000 is outside numbers from 1 to 3600; using 3600/);
    assert.equal(validateSetting('idleTimeoutSeconds', -5).value, 1);
    assert.equal(validateSetting('topLogprobs', 500).value, 20);
    assert.equal(validateSetting('topLogprobs', 2.6).value, 3);
    assert.equal(validateSetting('temperature', 9).value, 2);
    assert.equal(validateSetting('temperature', null).value, null);
    assert.equal(validateSetting('maxTokens', 0).value, 1);
    assert.equal(validateSetting('requestTimeoutSeconds', Number.POSITIVE_INFINITY).value, 60);
    assert.equal(validateSetting('uncertainThreshold', 0).value, 0.5, 'exclusive minimum: the default');
    assert.deepEqual(validateSetting('stop', ['a', 'b', 'c', 'd', 'e']).value, ['a', 'b', 'c', 'd']);
    for (const key of KEYS) {
      const definition = SETTINGS[key];
      if (definition.type !== 'number') continue;
      for (const absurd of [1e300, -1e300]) {
        const { value } = validateSetting(key, absurd) as { value: number };
        if ('minimum' in definition) assert.ok(value >= definition.minimum, `${key} ${absurd} → ${value}`);
        if ('maximum' in definition) assert.ok(value <= definition.maximum, `${key} ${absurd} → ${value}`);
      }
    }
  });

  it('reads a snapshot from any garbage without throwing', () => {
    const garbage: unknown[] = [undefined, null, NaN, {}, [], [1, 2], 'x', -1, true, { baseUrl: 1 }, Symbol.iterator.toString()];
    for (const value of garbage) {
      const levels = Object.fromEntries(KEYS.map((key) => [key, { globalValue: value, workspaceValue: value }]));
      const { settings } = readLensSettings(source(levels));
      assert.ok(settings.timeoutMs >= 1000 && Number.isFinite(settings.idleTimeoutMs), String(value));
      assert.equal(settings.thresholds.length, 9);
    }
  });

  it('takes application-scoped values from the user only, and restricted ones from a workspace only when it is trusted', () => {
    const endpoint = SETTINGS.endpoint;
    assert.deepEqual(effectiveValue(SETTINGS.baseUrl, { workspaceValue: 'https://evil.example/v1', globalValue: 'http://localhost:11434/v1' }, true),
      { value: 'http://localhost:11434/v1', level: 'user' });
    assert.deepEqual(effectiveValue(endpoint, { workspaceValue: 'Cloud', globalValue: 'Local' }, true), { value: 'Cloud', level: 'workspace' });
    assert.deepEqual(effectiveValue(endpoint, { workspaceValue: 'Cloud', globalValue: 'Local' }, false), { value: 'Local', level: 'user' });
    assert.deepEqual(effectiveValue(endpoint, { workspaceFolderValue: 'Folder', workspaceValue: 'Cloud' }, true), { value: 'Folder', level: 'workspace folder' });
    assert.deepEqual(effectiveValue(SETTINGS.colourBy, { workspaceValue: 'rank' }, false), { value: 'rank', level: 'workspace' }, 'display settings are not restricted');
  });

  it('says which level chose the endpoint profile, and that a missing profile cannot be used', () => {
    const profiles = { Local: { baseUrl: 'http://localhost:11434/v1', model: 'llama3.2' }, Cloud: { baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o' } };
    const chosen = readLensSettings(source({ endpoints: { globalValue: profiles, workspaceValue: { Evil: { baseUrl: 'https://evil.example/v1', model: 'x' } } }, endpoint: { globalValue: 'Local', workspaceValue: 'Cloud' } }));
    assert.equal(chosen.settings.profileName, 'Cloud');
    assert.equal(chosen.settings.profileChosenBy, 'workspace');
    assert.equal(chosen.settings.baseUrl, 'https://api.openai.com/v1');
    const untrusted = readLensSettings(source({ endpoints: { globalValue: profiles }, endpoint: { globalValue: 'Local', workspaceValue: 'Cloud' } }, false));
    assert.equal(untrusted.settings.profileName, 'Local');
    assert.equal(untrusted.settings.profileChosenBy, 'user');
    const workspaceProfile = readLensSettings(source({ endpoints: { globalValue: profiles, workspaceValue: { Evil: { baseUrl: 'https://evil.example/v1', model: 'x' } } }, endpoint: { workspaceValue: 'Evil' } }));
    assert.equal(workspaceProfile.settings.profileName, undefined, 'a workspace cannot define a profile');
    assert.match(workspaceProfile.settings.profileProblem ?? '', /names “Evil”, which your user settings' logprobLens\.endpoints do not define/);
  });

  it('keeps keys per origin, and per profile and origin', () => {
    assert.equal(keyScope({ profileName: undefined }, 'https://api.openai.com'), 'https://api.openai.com');
    assert.equal(keyScope({ profileName: 'Work' }, 'https://api.openai.com'), 'Work@https://api.openai.com');
  });
});

describe('inspectedFromSection', () => {
  // The shape VS Code's inspect('logprobLens') returns: each level's values as a tree, only what that level sets.
  const section = {
    defaultValue: { history: { enabled: true }, baseUrl: 'http://127.0.0.1:11434/v1' },
    globalValue: { history: { enabled: false, maxRuns: 40 }, baseUrl: 'https://api.example.com/v1', endpoints: { lab: { baseUrl: 'http://lab/v1' } } },
    workspaceValue: { baseUrl: 'https://attacker.example/v1', colourBy: 'margin', headers: { 'x.trace': 'on' } },
  };
  const inspect = inspectedFromSection(section);

  it('finds a nested key by its dotted path at each level', () => {
    assert.deepEqual(inspect('history.enabled'), { globalValue: false, workspaceValue: undefined, workspaceFolderValue: undefined });
    assert.deepEqual(inspect('history.maxRuns').globalValue, 40);
    assert.deepEqual(inspect('endpoints').globalValue, { lab: { baseUrl: 'http://lab/v1' } });
    assert.deepEqual(inspect('headers').workspaceValue, { 'x.trace': 'on' }, 'an object value whose keys hold dots is taken whole');
  });

  it('reads as a per-key inspect does: an application-scoped workspace value stays unused', () => {
    const { settings } = readLensSettings({ inspect, trusted: true });
    assert.equal(settings.colourBy, 'margin', 'a window setting from the workspace applies');
    assert.equal(settings.history.enabled, false);
    assert.equal(settings.history.maxRuns, 40);
    assert.equal(settings.baseUrl, 'https://api.example.com/v1', 'the workspace cannot move the endpoint');
  });

  it('gives nothing for a level that is absent, a path through a non-object, or an inherited name', () => {
    assert.deepEqual(inspectedFromSection(undefined)('baseUrl'), { globalValue: undefined, workspaceValue: undefined, workspaceFolderValue: undefined });
    assert.equal(inspectedFromSection({ globalValue: { history: 'on' } })('history.enabled').globalValue, undefined);
    assert.equal(inspectedFromSection({ globalValue: {} })('constructor' as SettingKey).globalValue, undefined);
  });
});
