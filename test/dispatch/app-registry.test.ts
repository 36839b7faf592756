import { AppRegistry, globToRegExp, isGlob, type Lookup } from '../../src/dispatch/app-registry';
import { fakePushkin } from '../support/fake-pushkin';

const appOf = (lookup: Lookup) => ('pushkin' in lookup ? lookup.pushkin.appId : lookup.problem);

describe('AppRegistry (Sygnal rules)', () => {
  const registry = new AppRegistry(
    ['com.example.ios', 'com.example.*', 'im.*.beta', 'im.vector.app?', 'org.exact.only'].map((id) => fakePushkin(id)),
  );

  test.each([
    ['an exact key', 'org.exact.only', 'org.exact.only'],
    ['an exact key wins over a matching glob', 'com.example.ios', 'com.example.ios'],
    ['one matching glob', 'com.example.android', 'com.example.*'],
    ['* matches across dots', 'com.example.a.b.c', 'com.example.*'],
    ['? matches exactly one character', 'im.vector.app1', 'im.vector.app?'],
    ['? does not match nothing', 'im.vector.app', 'unknown_app'],
    ['no match', 'org.other', 'unknown_app'],
    ['a prefix of an exact key is not a match', 'org.exact', 'unknown_app'],
    ['matching is whole-string', 'xcom.example.ios', 'unknown_app'],
  ])('%s', (_name, appId, expected) => {
    expect(appOf(registry.find(appId))).toBe(expected);
  });

  test('two globs that both match are ambiguous', () => {
    const both = new AppRegistry([fakePushkin('im.example.*'), fakePushkin('im.*.beta')]);
    expect(appOf(both.find('im.example.beta'))).toBe('ambiguous_app');
    expect(appOf(both.find('im.example.alpha'))).toBe('im.example.*');
    expect(appOf(both.find('im.other.beta'))).toBe('im.*.beta');
  });

  test('glob metacharacters other than * and ? are literal', () => {
    expect(globToRegExp('a.b+c').test('a.b+c')).toBe(true);
    expect(globToRegExp('a.b+c').test('aXbbc')).toBe(false);
    expect(isGlob('com.example.*')).toBe(true);
    expect(isGlob('com.example.app')).toBe(false);
  });

  test('lookups stay correct past the bounded cache', () => {
    const many = new AppRegistry([fakePushkin('com.glob.*')]);
    for (let i = 0; i < 12_000; i++) expect(appOf(many.find(`com.glob.${i}`))).toBe('com.glob.*');
    expect(appOf(many.find('com.other.1'))).toBe('unknown_app');
    expect(appOf(many.find('com.glob.0'))).toBe('com.glob.*');
  });

  test('all() lists every pushkin and closeAll() closes each', async () => {
    const closed: string[] = [];
    const pushkins = ['a', 'b.*'].map((id) => ({ ...fakePushkin(id), close: async () => { closed.push(id); } }));
    const r = new AppRegistry(pushkins);
    expect(r.all().map((p) => p.appId).sort()).toEqual(['a', 'b.*']);
    await r.closeAll();
    expect(closed.sort()).toEqual(['a', 'b.*']);
  });
});
