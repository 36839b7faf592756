import { validateFcmOptions } from '../../src/payload/fcm-options';

const paths = (options: unknown) => validateFcmOptions(options).map((p) => p.path.join('.'));

describe('validateFcmOptions', () => {
  it('accepts v1 Message fields', () => {
    expect(validateFcmOptions({})).toEqual([]);
    expect(validateFcmOptions({
      android: { collapse_key: 'k', priority: 'high', ttl: '3600s', restricted_package_name: 'p', data: { a: 'b' },
        notification: { channel_id: 'c' }, fcm_options: { analytics_label: 'l' }, direct_boot_ok: true },
      apns: { headers: { 'apns-priority': '10' } }, webpush: {}, fcm_options: {}, notification: { title: 't' }, data: { k: 'v' },
    })).toEqual([]);
  });

  it.each([
    ['priority', 'android.priority'],
    ['time_to_live', 'android.ttl'],
    ['collapse_key', 'android.collapse_key'],
    ['content_available', 'content-available'],
    ['restricted_package_name', 'android.restricted_package_name'],
    ['dry_run', 'validate_only'],
    ['to', 'message.token'],
    ['registration_ids', 'one v1 message per device'],
  ])('flags legacy key %s with its v1 equivalent', (key, equivalent) => {
    const problems = validateFcmOptions({ [key]: 1 });
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toEqual([key]);
    expect(problems[0].message).toContain('legacy');
    expect(problems[0].message).toContain(equivalent);
  });

  it('flags fields Herald sets and unknown fields', () => {
    expect(paths({ token: 'x', topic: 't', unknown: 1 })).toEqual(['token', 'topic', 'unknown']);
  });

  it('checks android sub-keys and values', () => {
    expect(paths({ android: { time_to_live: 5, ttl: 3600, priority: 'HIGHEST', color: 'red', data: { n: 1 } } })).toEqual([
      'android.time_to_live', 'android.color', 'android.priority', 'android.ttl', 'android.data.n',
    ]);
  });

  it('checks object-valued fields and data values', () => {
    expect(paths({ notification: 'x', android: [], data: { ok: 'yes', bad: 2 } })).toEqual(['notification', 'data.bad', 'android']);
    expect(paths('nope')).toEqual(['']);
  });
});
