import { redactUrl } from '../../services/security';

describe('redactUrl', () => {
  it('strips user:pass@ so credentials of a broker URL are never logged', () => {
    expect(redactUrl('mqtt://user:pass@broker.example:1883')).toBe('mqtt://broker.example:1883');
    expect(redactUrl('mqtts://gateway@broker.example')).toBe('mqtts://broker.example');
    expect(redactUrl('mqtt://u:p%40ss@10.0.0.1:1883/path')).toBe('mqtt://10.0.0.1:1883/path');
    expect(redactUrl('mqtt://u:p%40ss@10.0.0.1:1883/path')).not.toMatch(/p%40ss|u:/);
  });

  it('masks the values of password, token, key and access_token query parameters, and only those', () => {
    const out = redactUrl('https://h.example/hook?password=a1&token=b2&key=c3&access_token=d4&channel=ops');
    expect(out).toBe('https://h.example/hook?password=***&token=***&key=***&access_token=***&channel=ops');
    expect(out).not.toMatch(/a1|b2|c3|d4/);
  });

  it('leaves a URL without secrets as it is and does not echo something unparsable', () => {
    expect(redactUrl('mqtt://127.0.0.1:1883')).toBe('mqtt://127.0.0.1:1883');
    expect(redactUrl('not a url with user:pass@host')).toBe('[unparsable url]');
  });
});
